"""The roster and gradebook of a challenge, for its hosts: one row per learner, read in a fixed number of queries.

One read serves the roster page, the gradebook JSON and its CSV. A learner is on it once admitted (a private
challenge's invite or allowed e-mail) or once they submitted anything. Ranks are the leaderboard's own
(leaderboard_all_rows), so the gradebook never disagrees with the board; the members of a team each get their
team's row (its best scores, ranks, final picks, disqualification) beside their own submission counts. Private
scores are shown: hosts see them before they are revealed to learners (submissions/leaderboard/visibility.py).
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Max, Q

from hub.spreadsheets import csv_lines
from projects.models import Admission, Challenge, LimitOverride, Visibility
from projects.selectors import own_limits_merge

from .leaderboard import leaderboard_all_rows
from .models import LeaderboardEntry, Participant, Submission, TeamMember


@dataclass
class RosterRow:
    user_id: int
    username: str
    name: str
    email: str
    team: str = ""  # the team's name; empty for a learner on their own (a team of one)
    joined_at: dt.datetime | None = None
    joined_via: str = ""
    submissions: int = 0  # counted against the limits: failed ones are not
    failed: int = 0
    best_public: float | None = None
    best_private: float | None = None
    public_rank: int | None = None
    private_rank: int | None = None
    final_submission_ids: list[int] = field(default_factory=list)
    is_disqualified: bool = False
    last_submitted_at: dt.datetime | None = None
    # Set by a host for this learner or their team (projects.LimitOverride): own limits, deadline, and why.
    daily_limit: int | None = None
    deadline: dt.datetime | None = None
    late_submissions: int = 0  # made after the challenge's own end, under an extended deadline
    note: str = ""


def challenge_roster(*, challenge: Challenge, host: AbstractBaseUser) -> list[RosterRow]:
    """Every learner of the challenge, best public rank first, then those with no score by name."""
    users = get_user_model().objects
    admitted = {a.user_id: a for a in Admission.objects.filter(challenge=challenge)}
    counts = {
        row["user_id"]: row
        for row in Submission.objects.filter(challenge=challenge, is_baseline=False)
        .values("user_id")
        .annotate(
            used=Count("pk", filter=~Q(status=Submission.Status.FAILED)),
            failed=Count("pk", filter=Q(status=Submission.Status.FAILED)),
            last_at=Max("created_at"),
        )
        .order_by()
    }
    user_ids = set(admitted) | set(counts)
    # A private challenge's learners were admitted by its teacher, who knows them; anyone may submit to a
    # public or unlisted one, and their addresses are not its hosts' to collect.
    with_email = challenge.visibility == Visibility.PRIVATE
    rows = {
        user.pk: RosterRow(
            user_id=user.pk,
            username=user.username,
            name=user.get_full_name(),
            email=user.email if with_email else "",
        )
        for user in users.filter(pk__in=user_ids).only("username", "first_name", "last_name", "email")
    }
    for user_id, admission in admitted.items():
        if user_id in rows:
            rows[user_id].joined_at, rows[user_id].joined_via = admission.joined_at, admission.via
    for user_id, count in counts.items():
        if user_id in rows:
            rows[user_id].submissions, rows[user_id].failed = count["used"], count["failed"]
            rows[user_id].last_submitted_at = count["last_at"]
    team_of = dict(
        TeamMember.objects.filter(challenge=challenge, user_id__in=user_ids).values_list(
            "user_id", "participant_id"
        )
    )
    members: dict[int, list[int]] = {}
    for user_id, team_id in team_of.items():
        members.setdefault(team_id, []).append(user_id)
    teams = Participant.objects.filter(pk__in=members).only("name", "is_disqualified")
    for team in teams:
        for user_id in members[team.pk]:
            rows[user_id].team, rows[user_id].is_disqualified = team.name, team.is_disqualified
    for row in leaderboard_all_rows(challenge=challenge, split=LeaderboardEntry.Split.PUBLIC):
        for user_id in members.get(row.team_id, []):
            rows[user_id].best_public, rows[user_id].public_rank = row.score, row.rank
    private = leaderboard_all_rows(challenge=challenge, split=LeaderboardEntry.Split.PRIVATE, viewer=host)
    for row in private:
        for user_id in members.get(row.team_id, []):
            rows[user_id].best_private, rows[user_id].private_rank = row.score, row.rank
    finals = Submission.objects.filter(challenge=challenge, is_final=True, participant_id__in=members)
    for team_id, submission_id in finals.order_by("pk").values_list("participant_id", "pk"):
        for user_id in members[team_id]:
            rows[user_id].final_submission_ids.append(submission_id)
    own_of, team_of_override = {}, {}
    for override in LimitOverride.objects.filter(
        Q(user_id__in=user_ids) | Q(participant_id__in=members), challenge=challenge
    ):
        if override.user_id is not None:
            own_of[override.user_id] = override
        else:
            team_of_override[override.participant_id] = override
    for user_id, row in rows.items():
        limits = own_limits_merge(own_of.get(user_id), team_of_override.get(team_of.get(user_id)))
        if limits is not None:
            row.daily_limit, row.deadline, row.note = limits.daily_limit, limits.end_at, limits.note
    if challenge.end_at is not None:
        late = (
            Submission.objects.filter(challenge=challenge, is_baseline=False, created_at__gt=challenge.end_at)
            .values("user_id")
            .annotate(count=Count("pk"))
        )
        for entry in late:
            if entry["user_id"] in rows:
                rows[entry["user_id"]].late_submissions = entry["count"]
    return sorted(
        rows.values(),
        key=lambda r: (r.public_rank is None, r.public_rank or 0, r.username.lower()),
    )


GRADEBOOK_HEADER = [
    "username",
    "name",
    "email",
    "team",
    "joined_at",
    "submissions",
    "failed",
    "best_public",
    "best_private",
    "public_rank",
    "private_rank",
    "final_submission_ids",
    "disqualified",
    "deadline",
    "late_submissions",
    "note",
]


def gradebook_csv(rows: list[RosterRow]) -> Iterator[str]:
    """The gradebook as CSV lines, every cell spreadsheet-safe (a learner named =HYPERLINK(...) stays text)."""

    def cells() -> Iterator[list[object]]:
        yield GRADEBOOK_HEADER
        for row in rows:
            yield [
                row.username,
                row.name,
                row.email,
                row.team,
                row.joined_at.isoformat() if row.joined_at else "",
                row.submissions,
                row.failed,
                "" if row.best_public is None else row.best_public,
                "" if row.best_private is None else row.best_private,
                "" if row.public_rank is None else row.public_rank,
                "" if row.private_rank is None else row.private_rank,
                " ".join(str(pk) for pk in row.final_submission_ids),
                "yes" if row.is_disqualified else "no",
                row.deadline.isoformat() if row.deadline else "",
                row.late_submissions,
                row.note,
            ]

    return csv_lines(cells(), lineterminator="\r\n")
