"""The Kaggle API's request and response shapes (kagglesdk 0.1.x, `competitions.CompetitionApiService`).

Requests are validated by DRF serializers named after the fields the SDK sends (camelCase, as on the wire).
Responses are plain functions: every field is computed. Dates are UTC with milliseconds and a Z, as the SDK
writes them; scores are strings, as Kaggle sends them.
"""

import datetime as dt

from rest_framework import serializers

from hub.pagination import MAX_PAGE, MAX_PAGE_SIZE, page_window
from hub.query_fields import QueryIntegerField
from projects.models import Challenge, DataFile
from projects.selectors import challenge_status
from submissions.leaderboard import Column, LeaderboardRow, Viewer, visible_scores
from submissions.models import Submission
from submissions.selectors import Limits
from submissions.team_selectors import submission_team
from workers.scoring import METRICS

SUBMISSION_STATUS = {
    Submission.Status.QUEUED: "PENDING",
    Submission.Status.RUNNING: "PENDING",
    Submission.Status.SCORED: "COMPLETE",
    Submission.Status.FAILED: "ERROR",
}


def kaggle_date(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def kaggle_score(value: float | None) -> str | None:
    return None if value is None else f"{value:.5f}"


# Field names are the wire names, camelCase as the SDK sends them.
class CompetitionRequest(serializers.Serializer):
    competitionName = serializers.SlugField(max_length=100)


class PagedRequest(serializers.Serializer):
    """Both of Kaggle's paging styles: page numbers from 1, or the opaque token of the previous answer (an
    offset); both go through the hub's one paging function, which refuses values out of range."""

    pageSize = QueryIntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False, default=20)
    pageToken = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    page = QueryIntegerField(min_value=1, max_value=MAX_PAGE, required=False, default=1)

    def validate(self, data: dict) -> dict:
        data["window"] = page_window(
            page=data["page"],
            page_size=data["pageSize"],
            offset=data["pageToken"] or None,
            default_size=20,
            names=("page", "pageSize", "pageToken"),
        )
        return data

    def offset(self) -> int:
        return self.validated_data["window"].offset


def paging_of(data: dict) -> dict:
    """A PagedRequest's values as the leaderboard's one paging function takes them (it pages the board)."""
    return {
        "page": data["page"],
        "page_size": data["pageSize"],
        "offset": data["pageToken"] or None,
        "default_size": 20,
        "names": ("page", "pageSize", "pageToken"),
    }


def next_page_token(offset: int, page_size: int, total: int) -> str:
    return str(offset + page_size) if offset + page_size < total else ""


class ListCompetitionsRequest(PagedRequest):
    group = serializers.CharField(required=False, allow_blank=True, default="")
    search = serializers.CharField(required=False, allow_blank=True, default="")


class CompetitionPagedRequest(CompetitionRequest, PagedRequest):
    pass


class DownloadDataFileRequest(CompetitionRequest):
    fileName = serializers.CharField(max_length=255)


class StartSubmissionUploadRequest(CompetitionRequest):
    fileName = serializers.CharField(max_length=255)
    # The SDK leaves out fields at their default, so an empty file comes without a length.
    contentLength = serializers.IntegerField(min_value=0, required=False, default=0)


class CreateSubmissionRequest(CompetitionRequest):
    blobFileTokens = serializers.CharField()
    submissionDescription = serializers.CharField(
        max_length=Submission._meta.get_field("description").max_length,
        required=False,
        allow_blank=True,
        default="",
    )


class SubmissionRequest(serializers.Serializer):
    ref = serializers.IntegerField(min_value=1)


class IntrospectTokenRequest(serializers.Serializer):
    token = serializers.CharField(allow_blank=True)


def competition_json(
    challenge: Challenge, *, url: str, learners: int, entered: bool, rank: int | None
) -> dict:
    return {
        "id": challenge.pk,
        # The slug, which every other command takes as `-c`.
        "ref": challenge.slug,
        "title": challenge.title,
        "url": url,
        "description": challenge.summary,
        "category": challenge.get_level_display(),
        "reward": "Knowledge",
        "deadline": kaggle_date(challenge.end_at),
        "enabledDate": kaggle_date(challenge.start_at),
        "dateCreated": kaggle_date(challenge.created_at),
        "teamCount": learners,
        "userHasEntered": entered,
        "userRank": rank,
        "maxDailySubmissions": challenge.daily_limit,
        "maxTeamSize": challenge.max_team_size,
        "evaluationMetric": METRICS[challenge.metric].name,
        "submissionsDisabled": challenge_status(challenge) != "open",
        "licenseName": challenge.dataset.licence,
    }


def data_file_json(data_file: DataFile) -> dict:
    return {
        "ref": data_file.name,
        "name": data_file.name,
        "description": data_file.description,
        "totalBytes": data_file.size,
        "creationDate": kaggle_date(data_file.updated_at),
    }


def submission_json(submission: Submission, *, viewer: Viewer) -> dict:
    return {
        "ref": submission.pk,
        "totalBytes": submission.size,
        "date": kaggle_date(submission.created_at),
        "description": submission.description,
        "errorDescription": submission.error,
        "fileName": submission.original_name,
        "publicScore": kaggle_score(submission.public_score),
        "privateScore": kaggle_score(visible_scores(submission, viewer).private),
        "status": SUBMISSION_STATUS[submission.status],
        "submittedBy": submission.author_name,
        "teamName": submission_team(submission)[1],
    }


def limits_json(limits: Limits) -> dict:
    daily_left = max(limits.daily_limit - limits.used_today, 0)
    return {
        "numToday": limits.used_today,
        "numTotal": limits.used_total,
        "numAllowedNow": limits.remaining_today,
        "limitedByTotal": limits.remaining_today < daily_left,
    }


def team_name(row: LeaderboardRow) -> str:
    return f"{row.participant} (baseline)" if row.is_baseline else row.participant


def leaderboard_row_json(row: LeaderboardRow) -> dict:
    return {
        "teamId": row.team_id,
        "teamName": team_name(row),
        "submissionDate": kaggle_date(row.submitted_at),
        "score": kaggle_score(row.score),
    }


# `kaggle competitions leaderboard --download`: Kaggle's columns, written by the hub's one leaderboard CSV.
LEADERBOARD_CSV_COLUMNS: list[Column] = [
    ("Rank", lambda row: row.rank if row.rank is not None else ""),
    ("TeamId", lambda row: row.team_id),
    ("TeamName", team_name),
    ("LastSubmissionDate", lambda row: kaggle_date(row.submitted_at)),
    ("Score", lambda row: kaggle_score(row.score)),
    ("SubmissionCount", lambda row: row.entries),
]
