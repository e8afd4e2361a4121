"""The JSON shapes the EvalAI CLI (1.3.18) reads, built from the hub's challenges, submissions and boards.

A hub challenge is an EvalAI challenge with one phase, numbered like the challenge, and two phase splits:
<challenge id>1 (public) and <challenge id>2 (private). Dates are UTC with a Z, the only form the CLI parses.
Plain functions rather than DRF serializers: every field is computed, none is read or validated.
"""

import datetime as dt
from collections.abc import Callable

from hub.templatetags.hub_tags import markdown
from projects.models import Challenge
from projects.selectors import challenge_status
from submissions.leaderboard import (
    LeaderboardRow,
    Viewer,
    higher_is_better,
    leaderboard_split_visible,
    visible_scores,
)
from submissions.models import LeaderboardEntry, Participant, Submission
from submissions.team_selectors import submission_team
from workers.scoring import METRICS

HOST_TEAM_NAME = "Practice Hub"
PHASE_NAME = "Test set"
# A practice problem never ends, but the CLI needs an end date and shows it in local time: a day short of the
# largest date leaves room for any time zone.
NO_END = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)
SPLIT_NUMBERS = {LeaderboardEntry.Split.PUBLIC: 1, LeaderboardEntry.Split.PRIVATE: 2}
# EvalAI's split visibility: 1 host only, 3 public. The CLI lists only visibility 3.
VISIBILITY_HOST, VISIBILITY_PUBLIC = 1, 3
STATUS_NAMES = {
    Submission.Status.QUEUED: "submitted",
    Submission.Status.RUNNING: "running",
    Submission.Status.SCORED: "finished",
    Submission.Status.FAILED: "failed",
}


def evalai_date(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def split_id(challenge: Challenge, split: str) -> int:
    return challenge.pk * 10 + SPLIT_NUMBERS[split]


def split_of(phase_split_id: int) -> tuple[int, str] | None:
    """(challenge id, split) named by a phase split id, or None if it names none."""
    challenge_id, number = divmod(phase_split_id, 10)
    for split, split_number in SPLIT_NUMBERS.items():
        if number == split_number and challenge_id > 0:
            return challenge_id, split
    return None


def _html(text: str) -> str:
    # The CLI strips HTML before printing; the hub's Markdown renderer gives it clean text to strip.
    return str(markdown(text))


def _submission_guidelines(challenge: Challenge) -> str:
    limits = f"up to {challenge.daily_limit} a day"
    if challenge.total_limit is not None:
        limits += f" and {challenge.total_limit} in all"
    return (
        f"<p>Upload a CSV with the columns {challenge.id_column},{challenge.target_column} and one row per test "
        f"id, {limits}. It may be gzip- or zip-compressed.</p>"
    )


def challenge_json(challenge: Challenge) -> dict:
    return {
        "id": challenge.pk,
        "title": challenge.title,
        "slug": challenge.slug,
        "short_description": challenge.summary,
        "description": _html(challenge.description),
        "evaluation_details": _html(challenge.evaluation),
        "submission_guidelines": _submission_guidelines(challenge),
        "terms_and_conditions": f"<p>Data licence: {challenge.dataset.licence or 'not stated'}.</p>",
        "image": None,
        "start_date": evalai_date(challenge.start_at),
        "end_date": evalai_date(challenge.end_at or NO_END),
        "creator": {"id": 1, "team_name": HOST_TEAM_NAME, "team_url": ""},
        "published": True,
        "approved_by_admin": True,
        "is_active": challenge_status(challenge) == "open",
        "is_docker_based": False,
        "enable_forum": False,
        "anonymous_leaderboard": False,
        "created_at": evalai_date(challenge.created_at),
    }


def phase_json(challenge: Challenge) -> dict:
    return {
        "id": challenge.pk,
        "name": PHASE_NAME,
        "description": _html(challenge.evaluation),
        "leaderboard_public": True,
        "start_date": evalai_date(challenge.start_at),
        "end_date": evalai_date(challenge.end_at or NO_END),
        "challenge": challenge.pk,
        "is_public": True,
        "is_active": challenge_status(challenge) == "open",
        "codename": challenge.slug,
        "max_submissions_per_day": challenge.daily_limit,
        "max_submissions_per_month": None,
        "max_submissions": challenge.total_limit,
        "submission_meta_attributes": [],
    }


def phase_split_json(challenge: Challenge, split: str, *, viewer: Viewer) -> dict:
    visible = leaderboard_split_visible(challenge, split, viewer)
    return {
        "id": split_id(challenge, split),
        "challenge_phase": challenge.pk,
        "challenge_phase_name": PHASE_NAME,
        "dataset_split": SPLIT_NUMBERS[split],
        "dataset_split_name": split.capitalize(),
        "visibility": VISIBILITY_PUBLIC if visible else VISIBILITY_HOST,
        "leaderboard_decimal_precision": 5,
        "is_leaderboard_order_descending": higher_is_better(challenge),
    }


def submission_json(
    submission: Submission, *, result_url: Callable[[Submission], str | None], viewer: Viewer = None
) -> dict:
    execution_time = None
    if submission.started_at and submission.finished_at:
        execution_time = round((submission.finished_at - submission.started_at).total_seconds(), 3)
    team_id, team_name = submission_team(submission)
    return {
        "id": submission.pk,
        "participant_team": team_id,
        "participant_team_name": team_name,
        "created_by": submission.author_name,
        "challenge_phase": submission.challenge_id,
        "status": STATUS_NAMES[submission.status],
        "is_public": True,
        "is_flagged": False,
        "is_baseline": submission.is_baseline,
        "execution_time": execution_time,
        "submitted_at": evalai_date(submission.created_at),
        "started_at": evalai_date(submission.started_at),
        "completed_at": evalai_date(submission.finished_at),
        "method_name": submission.description,
        "method_description": "",
        "project_url": "",
        "publication_url": "",
        "input_file": None,
        "stdout_file": None,
        "stderr_file": None,
        "submission_result_file": result_url(submission),
        "submission_metadata_file": None,
        # The hub's own fields, for anyone reading the JSON.
        "file_name": submission.original_name,
        "public_score": submission.public_score,
        "private_score": visible_scores(submission, viewer).private,
        "error": submission.error,
    }


def submission_result_json(submission: Submission, *, viewer: Viewer) -> dict:
    """What `evalai submission ID result` prints: every metric on each visible split, or why the file failed."""
    if submission.status == Submission.Status.FAILED:
        return {"submission": submission.pk, "status": "failed", "error": submission.error}
    challenge = submission.challenge
    visible = visible_scores(submission, viewer)
    splits = {"public": visible.public}
    if visible.private_shown:
        splits["private"] = visible.private
    scores = {}
    for split, main_score in splits.items():
        scores[split] = {METRICS[challenge.metric].name: main_score}
        for key, by_split in visible.extra.items():
            scores[split][METRICS[key].name if key in METRICS else key] = by_split.get(split)
    result = {"submission": submission.pk, "status": STATUS_NAMES[submission.status], "scores": scores}
    if "private" not in splits:
        result["private"] = "hidden until the challenge ends or its host reveals it"
    return result


def leaderboard_row_json(row: LeaderboardRow, *, challenge: Challenge, split: str) -> dict:
    """`result` lists the scores in the order of the schema's labels: the board ranks by one metric."""
    metric_name = METRICS[challenge.metric].name
    return {
        "id": row.submission_id,
        "rank": row.rank,
        "submission__participant_team": row.team_id,
        "submission__participant_team__team_name": f"{row.participant} (baseline)"
        if row.is_baseline
        else row.participant,
        "submission__is_baseline": row.is_baseline,
        "submission__submitted_at": evalai_date(row.submitted_at),
        "submission__method_name": "",
        "challenge_phase_split": split_id(challenge, split),
        "result": [row.score],
        "filtering_score": row.score,
        "leaderboard__schema": {"labels": [metric_name], "default_order_by": metric_name},
        "error": None,
    }


def participant_team_json(team: Participant) -> dict:
    """`evalai teams --participant` prints id, team_name, created_by, the members' names and team_url. EvalAI's teams
    span challenges; the hub's are one a challenge, so the challenge is named too."""
    return {
        "id": team.pk,
        "team_name": team.display_name,
        "created_by": team.user.get_username(),
        "team_url": "",
        "challenge": team.challenge.slug,
        "members": [
            {"member_name": member.user.get_username(), "member_id": member.user_id, "status": "Accepted"}
            for member in team.members.all()
        ],
    }
