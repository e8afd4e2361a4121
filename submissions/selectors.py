"""Reads of submissions and limits (the leaderboards' reads are in submissions/leaderboard/)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from projects.models import Challenge
from projects.selectors import (
    challenges_listed,
    limit_override_of,
    submission_caps,
    viewer_fact_annotations,
    viewer_facts_remember,
)

from .models import Submission, TeamMember


def utc_day_start(now: dt.datetime | None = None) -> dt.datetime:
    """Daily limits reset at 00:00 UTC, as on Kaggle."""
    now = (now or timezone.now()).astimezone(dt.UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Limits:
    daily_limit: int
    used_today: int
    total_limit: int | None
    used_total: int
    resets_at: dt.datetime

    @property
    def remaining_today(self) -> int:
        remaining = max(self.daily_limit - self.used_today, 0)
        if self.total_limit is not None:
            remaining = min(remaining, max(self.total_limit - self.used_total, 0))
        return remaining


def submission_limits(
    *,
    challenge: Challenge,
    user: AbstractBaseUser,
    count_total: bool = False,
    now: dt.datetime | None = None,
) -> Limits:
    """The limits are the learner's team's (a learner on their own is a team of one): every member's
    submissions count, and those a member left with the team stay with it. Race-free under the team's lock.

    Failed submissions do not count: a learner is not punished for a file the hub could not read.
    Queued and running ones do count, or a learner could upload many at once before the first is scored.
    `used_total` is counted only when the challenge has a total limit or the caller asks for it (`count_total`),
    which saves a query on every upload to a challenge without one.
    """
    team = TeamMember.objects.filter(challenge=challenge, user_id=user.pk).values("participant_id")
    counted = Submission.objects.filter(participant_id__in=team).exclude(status=Submission.Status.FAILED)
    day_start = utc_day_start(now)
    # A host may give one learner or one team limits of their own (projects.LimitOverride): the learner's own
    # fields win over the team's, and empty fields keep the challenge's.
    daily_limit, total_limit = submission_caps(challenge, limit_override_of(challenge=challenge, user=user))
    return Limits(
        daily_limit=daily_limit,
        used_today=counted.filter(created_at__gte=day_start).count(),
        total_limit=total_limit,
        used_total=counted.count() if total_limit is not None or count_total else 0,
        resets_at=day_start + dt.timedelta(days=1),
    )


def challenge_ids_entered(*, user: AbstractBaseUser) -> set[int]:
    """The challenges the learner has entered; empty for an anonymous visitor."""
    if not user.is_authenticated:
        return set()
    return set(TeamMember.objects.filter(user=user).values_list("challenge_id", flat=True))


def submissions_of(*, challenge: Challenge | None = None, user: AbstractBaseUser) -> QuerySet[Submission]:
    """The submissions of the learner's teams (theirs and their teammates'; not those they left with a team)."""
    teams = TeamMember.objects.filter(user_id=user.pk).values("participant_id")
    submissions = Submission.objects.filter(participant_id__in=teams).select_related("challenge")
    if challenge is not None:
        submissions = submissions.filter(challenge=challenge)
    return submissions.order_by("-created_at", "-id")


def submission_get_visible(*, submission_id: int, user: AbstractBaseUser) -> Submission:
    """A submission is visible to its author, the members of its team and staff only; to anyone else it does not
    exist."""
    in_range = 0 < submission_id < 2**63
    submission = (
        Submission.objects.select_related("challenge", "user")
        .annotate(**viewer_fact_annotations(user, "challenge_id"))
        .filter(pk=submission_id)
        .first()
        if in_range
        else None
    )
    member = submission is not None and (
        submission.user_id == user.pk
        or TeamMember.objects.filter(participant_id=submission.participant_id, user_id=user.pk).exists()
    )
    if submission is None or not (user.is_staff or member):
        raise Http404(f"You have no submission {submission_id}.")
    viewer_facts_remember(user, submission.challenge_id, submission)
    return submission


# The /metrics label of every challenge not listed to everyone; parentheses are in no slug.
OTHER_CHALLENGES = "(other)"


def submission_counts_by_status() -> dict[tuple[str, str], int]:
    """(challenge label, status) -> submissions, for /metrics. Its scraper is no viewer of the hub, so only the
    challenges listed to anyone are labelled by slug; drafts, private and unlisted ones count together under
    OTHER_CHALLENGES (by pk would still tell which challenge numbers exist and how busy each is)."""
    listed = challenges_listed(viewer=AnonymousUser()).order_by().values("pk")
    label = Case(When(challenge__in=listed, then=F("challenge__slug")), default=Value(OTHER_CHALLENGES))
    rows = Submission.objects.values_list(label, "status").annotate(count=Count("id")).order_by()
    counts: dict[tuple[str, str], int] = {}
    for challenge, status, count in rows:
        counts[(challenge, status)] = counts.get((challenge, status), 0) + count
    return counts


@dataclass(frozen=True)
class ScoringTimes:
    """Scoring time (started_at to finished_at) of every finished submission, as a cumulative histogram."""

    buckets: list[tuple[float, int]]  # (upper bound in seconds, submissions that took at most that long)
    count: int
    total_seconds: float


def scoring_times(*, bucket_bounds: Iterable[float]) -> ScoringTimes:
    """One aggregate query over finished submissions: workers are other processes, so the database is the record.

    A submission rescored or recovered by the sweeper counts once, with its last run's time.
    """
    duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    bounds = list(bucket_bounds)
    finished = Submission.objects.filter(
        status__in=Submission.FINAL_STATUSES, started_at__isnull=False, finished_at__isnull=False
    ).annotate(duration=duration)
    totals = finished.aggregate(
        count=Count("id"),
        total=Sum("duration"),
        **{
            f"le{index}": Count("id", filter=Q(duration__lte=dt.timedelta(seconds=bound)))
            for index, bound in enumerate(bounds)
        },
    )
    total = totals["total"] or dt.timedelta(0)
    return ScoringTimes(
        buckets=[(bound, totals[f"le{index}"]) for index, bound in enumerate(bounds)],
        count=totals["count"],
        total_seconds=total.total_seconds(),
    )


def challenge_scoring_problem(*, challenge: Challenge) -> Submission | None:
    """The latest submission that the hub's side kept from being scored (its internal_error says why), for the
    hosts in the admin; learners only see that the challenge's scoring is broken."""
    return (
        Submission.objects.filter(challenge=challenge, status=Submission.Status.FAILED)
        .exclude(internal_error="")
        .only("pk", "internal_error", "finished_at")
        .order_by("-finished_at", "-pk")
        .first()
    )
