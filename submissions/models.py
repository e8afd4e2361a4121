"""Submissions, the participants who make them, and the leaderboard's best entry per participant."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from projects.models import Challenge

TEAM_NAME_MAX = 60


def new_invite_code() -> str:
    return secrets.token_urlsafe(12)


DELETED_AUTHOR = "a deleted account"


# --- what deleting a learner's account does to their teams -------------------------------------------------------
# The admin (or any ORM delete) removes a user through Django's deletion collector, which gathers the cascades
# before any pre_delete signal runs, so the rule has to be the foreign keys' own on_delete: a team with another
# member survives the deletion of its leader (the longest-standing other member leads it next) and keeps every
# submission made for it (their author becomes unknown); a team with no one else left is gone, as a team left
# empty is (its submissions and entries with it).


def _accounts_deleted(collector) -> set[int]:
    from django.contrib.auth import get_user_model

    return {user.pk for user in collector.data.get(get_user_model(), ())}


def _successors(team_ids: set[int], deleted: set[int]) -> dict[int, int]:
    """The longest-standing member of each team who is not being deleted; teams with none are left out."""
    successors: dict[int, int] = {}
    remaining = (
        TeamMember.objects.filter(participant_id__in=team_ids)
        .exclude(user_id__in=deleted)
        .order_by("joined_at", "id")
        .values_list("participant_id", "user_id")
    )
    for team_id, user_id in remaining:
        successors.setdefault(team_id, user_id)
    return successors


def leader_deleted(collector, field, sub_objs, using) -> None:
    """on_delete of a team's (or a leaderboard entry's) leader: the row passes to the team's successor, or goes
    with the team if it has none. `sub_objs` are Participant or LeaderboardEntry rows."""
    deleted = _accounts_deleted(collector)
    team_field = "pk" if field.model is Participant else "participant_id"
    rows = list(sub_objs.values_list("pk", team_field))
    successors = _successors({team_id for _, team_id in rows}, deleted)
    gone = [pk for pk, team_id in rows if team_id not in successors]
    by_successor: dict[int, list[int]] = {}
    for pk, team_id in rows:
        if team_id in successors:
            by_successor.setdefault(successors[team_id], []).append(pk)
    for successor, pks in by_successor.items():
        collector.add_field_update(field, successor, list(sub_objs.model.objects.filter(pk__in=pks)))
    if gone:
        models.CASCADE(collector, field, sub_objs.model.objects.filter(pk__in=gone), using)


def author_deleted(collector, field, sub_objs, using) -> None:
    """on_delete of a submission's author: kept, with no author, when its team survives; gone with it if not."""
    deleted = _accounts_deleted(collector)
    rows = list(sub_objs.values_list("pk", "participant_id"))
    successors = _successors({team_id for _, team_id in rows if team_id is not None}, deleted)
    kept = [pk for pk, team_id in rows if team_id in successors]
    gone = [pk for pk, team_id in rows if team_id not in successors]
    if kept:
        collector.add_field_update(field, None, list(Submission.objects.filter(pk__in=kept)))
    if gone:
        models.CASCADE(collector, field, Submission.objects.filter(pk__in=gone), using)


class Participant(models.Model):
    """A team in one challenge: the unit that submits, is limited and ranks. A learner who has joined no team is
    a team of one with no name (shown as the learner), created at the first upload with no step of theirs.

    `user` is the team's leader (unique per challenge: a learner leads at most the one team they are in); the
    members are TeamMember rows. The row is locked to count the team's submission limits without races, and
    every change of membership locks the teams it touches (submissions/services/locks.py says in which order).
    """

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=leader_deleted,
        related_name="participations",
        verbose_name="leader",
    )
    name = models.CharField(
        max_length=TEAM_NAME_MAX,
        blank=True,
        help_text="Shown on the boards; empty for a learner on their own",
    )
    invite_code = models.CharField(max_length=32, unique=True, default=new_invite_code)
    is_disqualified = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["challenge", "user"], name="participant_unique"),
            models.UniqueConstraint(
                Lower("name"),
                "challenge",
                condition=~models.Q(name=""),
                name="team_name_unique",
                violation_error_message="A team of this challenge already has this name.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} in {self.challenge}"

    @property
    def display_name(self) -> str:
        return self.name or str(self.user)


class TeamMember(models.Model):
    """A learner's place in a team; unique per challenge, so a learner is in at most one team of a challenge."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="members")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [models.UniqueConstraint(fields=["challenge", "user"], name="team_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.participant_id}"


class TeamMergeRequest(models.Model):
    """Sent by the leader of `sender`, accepted by the leader of `receiver`, into which `sender` is merged."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="+")
    sender = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="merge_requests_sent")
    receiver = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="merge_requests_received"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["sender", "receiver"], name="team_merge_request_unique"),
            models.CheckConstraint(condition=~models.Q(sender=models.F("receiver")), name="team_merge_other"),
        ]

    def __str__(self) -> str:
        return f"Merge {self.sender_id} into {self.receiver_id}"


def submission_upload_to(instance: "Submission", filename: str) -> str:
    # The stored name is the server's own; the learner's file name is kept only as text.
    return f"submissions/{instance.challenge_id}/{instance.uuid}.csv"


class Submission(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SCORED = "scored", "Scored"
        FAILED = "failed", "Failed"

    FINAL_STATUSES = (Status.SCORED, Status.FAILED)

    uuid = models.UUIDField(unique=True, editable=False)
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="submissions")
    # The author; null once their account is deleted while the team the submission counts for lives on.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=author_deleted,
        null=True,
        blank=True,
        related_name="submissions",
    )
    # The team it counts for; it stays with the team when its author leaves. Null only on rows older than teams.
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, null=True, blank=True, related_name="submissions"
    )
    file = models.FileField(upload_to=submission_upload_to, max_length=500)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(max_length=500, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    internal_error = models.TextField(
        blank=True,
        help_text="For the hosts only: what on the hub's side kept this submission from being scored",
    )
    public_score = models.FloatField(null=True, blank=True)
    private_score = models.FloatField(null=True, blank=True)
    extra_scores = models.JSONField(default=dict, blank=True)
    # The engine's description of the Public rows' errors (workers/scoring/insight.py); null when not computed.
    insight = models.JSONField(null=True, blank=True)

    is_baseline = models.BooleanField(default=False)
    is_final = models.BooleanField(
        default=False, help_text="Selected by the learner for the private leaderboard"
    )
    is_disqualified = models.BooleanField(default=False)

    task_id = models.CharField(max_length=64, blank=True, help_text="The delivery that claimed it")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Until when the delivery that claimed it is known to be alive"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["challenge", "user", "created_at"], name="submission_by_participant"),
            models.Index(fields=["participant", "created_at"], name="submission_by_team"),
            models.Index(fields=["status", "created_at"], name="submission_by_status"),
        ]

    def __str__(self) -> str:
        return f"Submission {self.pk} ({self.status})"

    @property
    def author_name(self) -> str:
        return self.user.get_username() if self.user_id is not None else DELETED_AUTHOR


class LeaderboardEntry(models.Model):
    """The best submission of one team (a participant) on one split, kept current whenever a score is stored.

    `sort_score` is the score turned so that larger is always better, so one index serves every metric.
    """

    class Split(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "private", "Private"

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="leaderboard_entries")
    # The team the entry ranks; `user` is its leader (a learner on their own leads their team of one).
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="leaderboard_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=leader_deleted, related_name="+")
    split = models.CharField(max_length=10, choices=Split.choices)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    sort_score = models.FloatField()
    submitted_at = models.DateTimeField()
    is_baseline = models.BooleanField(default=False)
    entries = models.PositiveIntegerField(default=1, help_text="Scored submissions of the participant")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "split", "participant"], name="leaderboard_entry_unique_team"
            ),
        ]
        indexes = [
            models.Index(
                fields=["challenge", "split", "-sort_score", "submitted_at", "submission"],
                name="leaderboard_order",
            ),
            # "My rank" counts the learners ahead: a range on this index, read without touching the table.
            models.Index(
                fields=["challenge", "split", "-sort_score", "submitted_at", "submission"],
                name="leaderboard_learner_rank",
                condition=models.Q(is_baseline=False),
            ),
            # The ranks on a later page discount the few baselines before it.
            models.Index(
                fields=["challenge", "split", "-sort_score", "submitted_at", "submission"],
                name="leaderboard_baselines",
                condition=models.Q(is_baseline=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.split} {self.score}"


class Leaderboard(models.Model):
    """One board, a challenge's public or private split: its size, so a page need not count its entries, and the
    row whose lock puts the changes of its size and of its top score in order.

    `rows` and `learners` are recounted under that lock whenever an entry joins or leaves the board, so a
    deletion that bypassed the hub (a cascade from a deleted user) is corrected by the next change.
    """

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="leaderboards")
    split = models.CharField(max_length=10, choices=LeaderboardEntry.Split.choices)
    rows = models.PositiveIntegerField(default=0, help_text="Entries, baselines included")
    learners = models.PositiveIntegerField(default=0, help_text="Entries of learners, who take ranks")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["challenge", "split"], name="leaderboard_unique")]

    def __str__(self) -> str:
        return f"{self.challenge} {self.split}: {self.rows} rows"


class TopScoreChange(models.Model):
    """One change of the best learner score on a board, recorded in the transaction that changed it.

    The chart of the top score over time reads these few rows instead of scanning every submission.
    Baseline rows never count: the line shows what learners reached.
    """

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="top_score_changes")
    split = models.CharField(max_length=10, choices=LeaderboardEntry.Split.choices)
    # Null when the board became empty (every entry disqualified); the user/submission may be deleted later.
    score = models.FloatField(null=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submission = models.ForeignKey(
        Submission, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["challenge", "split", "changed_at"], name="top_score_history")]

    def __str__(self) -> str:
        return f"{self.challenge_id} {self.split} top {self.score} at {self.changed_at:%Y-%m-%d %H:%M}"
