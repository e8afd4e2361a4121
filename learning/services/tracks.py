"""Placing challenges on tracks, from bundles (each bundle places its own challenge) or from the admin."""

from __future__ import annotations

from django.db import transaction

from learning.models import Track, TrackStep
from projects.bundles import TrackPlacement
from projects.models import Challenge


@transaction.atomic
def track_placements_sync(*, challenge: Challenge, placements: list[TrackPlacement]) -> None:
    """Put the challenge on each listed track at its position (creating the track if it is new).

    Placements a bundle does not list are left alone: an admin may have put the challenge on other tracks. A
    track's title and summary follow the latest bundle that names them.
    """
    for placement in placements:
        defaults = {"title": placement.title}
        if placement.summary:
            defaults["summary"] = placement.summary
        if placement.featured_order is not None:
            defaults["featured_order"] = placement.featured_order
        track, _ = Track.objects.update_or_create(slug=placement.slug, defaults=defaults)
        TrackStep.objects.update_or_create(
            track=track, challenge=challenge, defaults={"position": placement.position}
        )
