"""Tracks defined in bundles: each bundle places its own challenge; a bad entry is refused with what to change."""

from __future__ import annotations

import pytest
import yaml

from learning.models import Track
from learning.selectors import tracks_published
from projects.builtin.bundle_writer import FIRST_STEPS_ORDER
from projects.bundles import BundleError

pytestmark = pytest.mark.django_db


def test_bundles_place_their_challenges_on_a_track_in_position_order(make_challenge):
    make_challenge(slug="later", tracks=[{"slug": "basics", "title": "Basics", "position": 2}])
    make_challenge(
        slug="sooner", tracks=[{"slug": "basics", "title": "Basics", "position": 1, "summary": "Go"}]
    )
    track = tracks_published().get(slug="basics")
    assert [step.challenge.slug for step in track.steps.all()] == ["sooner", "later"]
    assert track.summary == "Go"
    # Importing again with another position moves the challenge; the track stays one.
    make_challenge(slug="later", tracks=[{"slug": "basics", "title": "Basics", "position": 3}])
    assert Track.objects.count() == 1


@pytest.mark.parametrize(
    "tracks, says",
    [
        ([{"title": "No slug"}], "tracks[0] needs a slug and a title"),
        ([{"slug": "a b", "title": "Spaces"}], "must be letters, digits"),
        ([{"slug": "ok", "title": "Ok", "position": 0}], "position must be a whole number from 1 to 1000"),
        ([{"slug": "ok", "title": "Ok", "position": "first"}], "position must be a whole number"),
        ([{"slug": "ok", "title": "Ok", "colour": "red"}], "unknown key(s): colour"),
        ("first-steps", "'tracks' must be a list"),
    ],
)
def test_a_bad_tracks_entry_is_refused(make_challenge, tracks, says):
    with pytest.raises(BundleError) as error:
        make_challenge(slug="bad", tracks=tracks)
    assert says in str(error.value)
    assert not Track.objects.exists()


def test_the_builtin_challenges_make_the_first_steps_track(builtin_bundles):
    positions = {}
    for slug, folder in builtin_bundles.items():
        manifest = yaml.safe_load((folder / "challenge.yaml").read_text())
        (entry,) = manifest["tracks"]
        assert entry["slug"] == "first-steps"
        positions[entry["position"]] = slug
    assert [positions[position] for position in sorted(positions)] == list(FIRST_STEPS_ORDER)
