"""Milestones follow from real scores (the scoring service awards them), once each, in order."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from learning.models import Milestone, Track, TrackStep
from learning.services.milestones import milestones_award
from projects.services import baseline_user
from submissions.models import Submission
from submissions.services.final_selection import submission_set_final
from submissions.services.scoring import submission_score
from submissions.services.submit import submission_create
from tests.bundles import predictions_csv
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ROWS = 60
Kind = Milestone.Kind


def scored(challenge, user, correct: int) -> Submission:
    submission = submission_create(
        user=user, challenge=challenge, file=ContentFile(predictions_csv(ROWS, correct=correct), name="p.csv")
    )
    submission_score(submission_id=submission.pk, delivery_id=f"d-{submission.pk}")
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SCORED
    return submission


def kinds(user, challenge) -> list[str]:
    return list(
        Milestone.objects.filter(user=user, challenge=challenge).order_by("id").values_list("kind", flat=True)
    )


@pytest.fixture
def tiny(make_challenge):
    challenge = make_challenge(rows=ROWS)
    baseline = submission_create(
        user=baseline_user(),
        challenge=challenge,
        file=ContentFile(predictions_csv(ROWS, correct=30), name="baseline.csv"),
        is_baseline=True,
    )
    submission_score(submission_id=baseline.pk, delivery_id="baseline")
    return challenge


def test_milestones_are_awarded_once_and_in_order(django_capture_on_commit_callbacks, tiny, user):
    # Nine other learners below the baseline: a learner who then beats them all is in the top 10 % of ten.
    for _ in range(9):
        with django_capture_on_commit_callbacks(execute=True):
            scored(tiny, UserFactory(), correct=10)
    with django_capture_on_commit_callbacks(execute=True):
        first = scored(tiny, user, correct=5)  # valid, last of ten
    assert kinds(user, tiny) == [Kind.FIRST_VALID]

    with django_capture_on_commit_callbacks(execute=True):
        best = scored(tiny, user, correct=55)  # now first of ten, above the baseline
    assert kinds(user, tiny) == [Kind.FIRST_VALID, Kind.BEAT_BASELINE, Kind.TOP_HALF, Kind.TOP_TEN_PERCENT]
    by_kind = {m.kind: m for m in Milestone.objects.filter(user=user)}
    assert by_kind[Kind.FIRST_VALID].submission_id == first.pk
    assert by_kind[Kind.TOP_TEN_PERCENT].submission_id == best.pk

    with django_capture_on_commit_callbacks(execute=True):
        submission_set_final(submission=best, user=user, is_final=True)
    assert kinds(user, tiny)[-1] == Kind.PICKED_FINAL

    # Again, and with a worse score: nothing new, nothing taken back.
    assert milestones_award(challenge=tiny, user=user) == []
    with django_capture_on_commit_callbacks(execute=True):
        scored(tiny, user, correct=1)
    assert Milestone.objects.filter(user=user).count() == 5


def test_alone_on_a_board_is_not_the_top_half_and_the_baseline_earns_nothing(
    django_capture_on_commit_callbacks, tiny, user
):
    with django_capture_on_commit_callbacks(execute=True):
        scored(tiny, user, correct=59)
    assert kinds(user, tiny) == [Kind.FIRST_VALID, Kind.BEAT_BASELINE]
    assert not Milestone.objects.filter(user=baseline_user()).exists()


def test_a_failed_submission_earns_no_milestone(django_capture_on_commit_callbacks, tiny, user):
    submission = submission_create(
        user=user, challenge=tiny, file=ContentFile(b"id,label\n1,a\n", name="bad.csv")
    )
    with django_capture_on_commit_callbacks(execute=True):
        submission_score(submission_id=submission.pk, delivery_id="bad")
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.FAILED
    assert kinds(user, tiny) == []


def test_progress_api_and_track_page(
    django_capture_on_commit_callbacks, make_challenge, tiny, user, auth_client
):
    second = make_challenge(slug="second", rows=ROWS)
    track = Track.objects.create(slug="first-steps", title="First steps")
    TrackStep.objects.create(track=track, challenge=tiny, position=1)
    TrackStep.objects.create(track=track, challenge=second, position=2)

    body = auth_client.get("/api/v1/me/progress/").json()
    assert body["milestones"] == []
    assert body["next_challenge"]["slug"] == tiny.slug
    assert [step["challenge"] for step in body["tracks"][0]["steps"]] == [tiny.slug, "second"]

    with django_capture_on_commit_callbacks(execute=True):
        beating = scored(tiny, user, correct=50)
    page_client = Client()
    page_client.force_login(user)
    page = page_client.get(f"/submissions/{beating.pk}/").content.decode()
    assert 'id="milestones-reached"' in page and "Beat the baseline" in page
    assert 'id="next-challenge"' in page and "Tiny second" in page  # after a milestone, the next step
    body = auth_client.get("/api/v1/me/progress/").json()
    assert [m["kind"] for m in body["milestones"]] == ["first_valid", "beat_baseline"]
    assert body["tracks"][0]["done"] == 1 and body["tracks"][0]["total"] == 2
    assert body["tracks"][0]["steps"][0]["done"] is True
    assert body["next_challenge"]["slug"] == "second"  # the next step; it has no baseline, so scoring does it
    with django_capture_on_commit_callbacks(execute=True):
        scored(second, user, correct=1)
    body = auth_client.get("/api/v1/me/progress/").json()
    assert body["tracks"][0]["done"] == 2 and body["next_challenge"] is None

    tracks = auth_client.get("/api/v1/tracks/").json()
    assert tracks[0]["slug"] == "first-steps" and [s["position"] for s in tracks[0]["steps"]] == [1, 2]
    assert Client().get("/api/v1/me/progress/").status_code == 401

    page = page_client.get("/tracks/first-steps/").content.decode()
    assert "2 of 2" in page and "Beat the baseline" in page
    assert "Beat the baseline" in page_client.get("/accounts/profile/").content.decode()
    public = Client().get(f"/users/{user.username}/")
    assert public.status_code == 200 and b'id="badges"' in public.content
    assert Client().get("/users/baseline/").status_code == 404
    assert Client().get("/tracks/no-such-track/").status_code == 404


def test_a_public_profile_names_an_unlisted_challenge_only_to_its_learner(
    django_capture_on_commit_callbacks, make_challenge, user
):
    """Unlisted is open by its link but named in no list: someone else's profile, its badges and its ranks,
    is a list. The learner still sees it on their own."""
    quiet = make_challenge(slug="quiet-one", title="Zebra Unlisted Quiz", rows=ROWS, visibility="unlisted")
    with django_capture_on_commit_callbacks(execute=True):
        scored(quiet, user, correct=50)
    assert Milestone.objects.filter(user=user, challenge=quiet).exists()
    for viewer in (None, UserFactory()):
        client = Client()
        if viewer is not None:
            client.force_login(viewer)
        page = client.get(f"/users/{user.username}/")
        assert page.status_code == 200
        assert "Zebra Unlisted Quiz" not in page.content.decode()
    client = Client()
    client.force_login(user)
    assert "Zebra Unlisted Quiz" in client.get(f"/users/{user.username}/").content.decode()
