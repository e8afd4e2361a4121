from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import LeaderboardEntry, Participant, Submission
from .services import participant_set_disqualified, submission_set_disqualified, submissions_rescore


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
        "created_at",
    ]
    list_filter = ["status", "challenge", "is_disqualified", "is_baseline"]
    search_fields = ["user__username", "sha256"]
    readonly_fields = [f.name for f in Submission._meta.fields]
    actions = ["rescore", "disqualify", "requalify"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Rescore the selected submissions")
    def rescore(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        queued = 0
        for challenge_id in set(queryset.values_list("challenge_id", flat=True)):
            ids = queryset.filter(challenge_id=challenge_id).values_list("pk", flat=True)
            queued += submissions_rescore(
                challenge=queryset.filter(challenge_id=challenge_id)[0].challenge, submission_ids=ids
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


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["user", "challenge", "is_disqualified", "created_at"]
    list_filter = ["challenge", "is_disqualified"]
    search_fields = ["user__username"]
    actions = ["disqualify", "requalify"]

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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
