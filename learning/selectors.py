"""Reads of tracks, milestones and a learner's progress: one function per question, used by pages and the API."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from learning.models import Milestone, Track, TrackStep
from projects.models import Challenge
from projects.selectors import challenges_listed, profile_challenges
from submissions.models import LeaderboardEntry

Kind = Milestone.Kind
KIND_ORDER = {kind: index for index, kind in enumerate(Kind.values)}


def tracks_published(*, viewer: AbstractBaseUser | AnonymousUser | None = None) -> QuerySet[Track]:
    """Published tracks in featured order, each with its steps on the challenges listed to the viewer (anonymous
    by default: a private class's challenge is never a step anyone else sees), in position order."""
    listed = challenges_listed(viewer=viewer or AnonymousUser()).order_by().values("pk")
    steps = (
        TrackStep.objects.filter(challenge__in=listed)
        .select_related("challenge")
        .order_by("position", "challenge__title")
    )
    return Track.objects.filter(is_published=True).prefetch_related(Prefetch("steps", queryset=steps))


def track_get_published(*, slug: str, viewer: AbstractBaseUser | AnonymousUser | None = None) -> Track:
    track = tracks_published(viewer=viewer).filter(slug=slug).first()
    if track is None:
        raise Http404(f"There is no track {slug!r}.")
    return track


def milestones_of(
    *, user: AbstractBaseUser, viewer: AbstractBaseUser | AnonymousUser | None = None
) -> list[Milestone]:
    """The learner's milestones on the challenges the viewer may see (the learner's own, unless someone else
    looks at their public profile), by challenge then in the order they are earned."""
    if not user.is_authenticated:
        return []
    visible = profile_challenges(user=user, viewer=viewer).values("pk")
    milestones = Milestone.objects.filter(user=user, challenge__in=visible).select_related("challenge")
    return sorted(milestones, key=lambda m: (m.challenge.title, KIND_ORDER[m.kind]))


@dataclass
class StepProgress:
    step: TrackStep
    kinds: list[str] = field(default_factory=list)  # the learner's milestones there, in Kind order
    done: bool = False  # beat the baseline there (or, with no baseline to beat, scored a valid submission)

    @property
    def challenge(self) -> Challenge:
        return self.step.challenge


@dataclass
class TrackProgress:
    track: Track
    steps: list[StepProgress]

    @property
    def done(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def total(self) -> int:
        return len(self.steps)


@dataclass
class Progress:
    milestones: list[Milestone]
    tracks: list[TrackProgress]
    next_challenge: Challenge | None  # the first step of the first track not done yet


def progress_of(*, user: AbstractBaseUser, tracks: list[Track] | None = None) -> Progress:
    """The learner's milestones, their place on every published track (or on ``tracks``), and the challenge to
    take next. Three queries whatever the number of tracks: tracks with steps, milestones, baselines."""
    tracks = list(tracks_published(viewer=user)) if tracks is None else tracks
    milestones = milestones_of(user=user)
    kinds: dict[int, list[str]] = {}
    for milestone in milestones:
        kinds.setdefault(milestone.challenge_id, []).append(milestone.kind)
    challenge_ids = {step.challenge_id for track in tracks for step in track.steps.all()}
    with_baseline = set(
        LeaderboardEntry.objects.filter(
            challenge_id__in=challenge_ids, split=LeaderboardEntry.Split.PUBLIC, is_baseline=True
        ).values_list("challenge_id", flat=True)
    )
    progress_tracks = []
    next_challenge = None
    for track in tracks:
        steps = []
        for step in track.steps.all():
            held = kinds.get(step.challenge_id, [])
            goal = Kind.BEAT_BASELINE if step.challenge_id in with_baseline else Kind.FIRST_VALID
            item = StepProgress(step=step, kinds=held, done=goal in held)
            if not item.done and next_challenge is None:
                next_challenge = step.challenge
            steps.append(item)
        progress_tracks.append(TrackProgress(track=track, steps=steps))
    return Progress(milestones=milestones, tracks=progress_tracks, next_challenge=next_challenge)


def milestones_reached_by(*, submission_id: int, user: AbstractBaseUser) -> list[Milestone]:
    """The milestones this submission of the learner's reached, in Kind order (for its page)."""
    milestones = Milestone.objects.filter(submission_id=submission_id, user=user).select_related("challenge")
    return sorted(milestones, key=lambda m: KIND_ORDER[m.kind])
