"""Pages: the learning paths, one path with the learner's progress, and learners' public profiles."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from projects.services import BASELINE_USERNAME
from submissions.leaderboard import leaderboard_positions_of
from submissions.models import Submission

from .selectors import (
    milestones_of,
    milestones_reached_by,
    progress_of,
    track_get_published,
    tracks_published,
)


def milestone_context(submission: Submission, user: AbstractBaseUser) -> dict:
    """For a submission's page: the milestones it reached and, after one, the challenge to take next."""
    if submission.user_id != user.pk or submission.status != Submission.Status.SCORED:
        return {"reached": []}
    reached = milestones_reached_by(submission_id=submission.pk, user=user)
    following = progress_of(user=user).next_challenge if reached else None
    return {"reached": reached, "next_challenge": following}


@require_GET
def track_list(request: HttpRequest) -> HttpResponse:
    tracks = list(tracks_published(viewer=request.user))
    progress = progress_of(user=request.user, tracks=tracks) if request.user.is_authenticated else None
    return render(
        request, "learning/track_list.html", {"nav": "tracks", "tracks": tracks, "progress": progress}
    )


@require_GET
def track_detail(request: HttpRequest, slug: str) -> HttpResponse:
    track = track_get_published(slug=slug, viewer=request.user)
    progress = None
    if request.user.is_authenticated:
        progress = progress_of(user=request.user, tracks=[track])
    return render(
        request,
        "learning/track_detail.html",
        {
            "nav": "tracks",
            "track": track,
            "progress": progress.tracks[0] if progress else None,
            "overall": progress,
        },
    )


@require_GET
def public_profile(request: HttpRequest, username: str) -> HttpResponse:
    """Any learner's badges and ranks, seen by anyone; the baseline account and inactive accounts have none."""
    learner = get_user_model().objects.filter(username=username, is_active=True).first()
    if learner is None or learner.username == BASELINE_USERNAME:
        raise Http404(f"There is no learner {username!r}.")
    context = {
        "learner": learner,
        "milestones": milestones_of(user=learner, viewer=request.user),
        "positions": leaderboard_positions_of(user=learner, viewer=request.user),
        "is_me": request.user.is_authenticated and request.user.pk == learner.pk,
    }
    return render(request, "learning/public_profile.html", context)
