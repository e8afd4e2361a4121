from collections import defaultdict

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from projects.models import Challenge

from .leaderboard import ENTRY_ORDER
from .models import LeaderboardEntry, Participant, Submission, TeamMember, TopScoreChange
from .services.moderation import participant_set_disqualified, submission_set_disqualified
from .services.scoring import submissions_rescore


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "challenge",
        "user",
        "status",
        "public_score",
        "private_score",
        "is_baseline",
        "is_disqualified",
        "hub_side_error",
        "created_at",
    ]
    list_filter = ["status", "challenge", "is_disqualified", "is_baseline"]
    search_fields = ["user__username", "sha256"]
    readonly_fields = [f.name for f in Submission._meta.fields]
    list_select_related = ["challenge", "user"]
    actions = ["rescore", "disqualify", "requalify", "disqualify_participants"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(boolean=True, description="Hub-side error")
    def hub_side_error(self, submission: Submission) -> bool:
        return bool(submission.internal_error)

    @admin.action(description="Rescore the selected submissions")
    def rescore(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        by_challenge: dict[int, list[int]] = defaultdict(list)
        for submission_id, challenge_id in queryset.values_list("pk", "challenge_id"):
            by_challenge[challenge_id].append(submission_id)
        queued = sum(
            submissions_rescore(challenge=challenge, submission_ids=by_challenge[challenge.pk])
            for challenge in Challenge.objects.filter(pk__in=by_challenge)
        )
        self.message_user(request, f"Queued {queued} submission(s) for rescoring.", messages.SUCCESS)

    @admin.action(description="Disqualify the selected submissions (hide them from the leaderboard)")
    def disqualify(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        for submission in queryset.select_related("challenge", "user"):
            submission_set_disqualified(submission=submission, disqualified=True)
        self.message_user(request, f"Disqualified {queryset.count()} submission(s).")

    @admin.action(description="Requalify the selected submissions")
    def requalify(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        for submission in queryset.select_related("challenge", "user"):
            submission_set_disqualified(submission=submission, disqualified=False)
        self.message_user(request, f"Requalified {queryset.count()} submission(s).")

    @admin.action(description="Disqualify the participants who made the selected submissions")
    def disqualify_participants(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        pairs = set(queryset.values_list("challenge_id", "user_id"))
        who = Q(pk__in=[])
        for challenge_id, user_id in pairs:
            who |= Q(challenge_id=challenge_id, user_id=user_id)
        participants = list(Participant.objects.select_related("challenge").filter(who))
        for participant in participants:
            participant_set_disqualified(participant=participant, disqualified=True)
        self.message_user(request, f"Disqualified {len(participants)} participant(s).")


class TeamMemberInline(admin.TabularInline):
    """Read-only: joining and leaving go through the team services, which keep the rules (size, limits)."""

    model = TeamMember
    fields = ["user", "joined_at"]
    readonly_fields = ["user", "joined_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    """The teams of every challenge (a learner on their own is a team of one, without a name)."""

    list_display = ["__str__", "name", "user", "challenge", "member_count", "is_disqualified", "created_at"]
    list_filter = ["challenge", "is_disqualified"]
    list_select_related = ["challenge", "user"]
    search_fields = ["name", "user__username", "members__user__username"]
    fields = ["challenge", "name", "user", "invite_code", "is_disqualified", "created_at"]
    readonly_fields = ["challenge", "user", "invite_code", "created_at"]
    inlines = [TeamMemberInline]
    actions = ["disqualify", "requalify"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Participant]:
        return super().get_queryset(request).annotate(member_total=Count("members"))

    @admin.display(description="Members", ordering="member_total")
    def member_count(self, participant: Participant) -> int:
        return participant.member_total

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Disqualify the selected participants (hide them from the leaderboard)")
    def disqualify(self, request: HttpRequest, queryset: QuerySet[Participant]) -> None:
        for participant in queryset.select_related("challenge", "user"):
            participant_set_disqualified(participant=participant, disqualified=True)
        self.message_user(request, f"Disqualified {queryset.count()} participant(s).")

    @admin.action(description="Requalify the selected participants")
    def requalify(self, request: HttpRequest, queryset: QuerySet[Participant]) -> None:
        for participant in queryset.select_related("challenge", "user"):
            participant_set_disqualified(participant=participant, disqualified=False)
        self.message_user(request, f"Requalified {queryset.count()} participant(s).")


@admin.register(LeaderboardEntry)
class LeaderboardEntryAdmin(admin.ModelAdmin):
    list_display = ["challenge", "split", "user", "score", "submitted_at", "is_baseline"]
    list_filter = ["challenge", "split"]
    list_select_related = ["challenge", "user"]
    ordering = ["challenge", "split", *ENTRY_ORDER]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(TopScoreChange)
class TopScoreChangeAdmin(admin.ModelAdmin):
    list_display = ["challenge", "split", "score", "user", "changed_at"]
    list_filter = ["challenge", "split"]
    list_select_related = ["challenge", "user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
