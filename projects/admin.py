from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from submissions.services import leaderboard_rebuild, submissions_rescore

from .models import Challenge, DataFile, Dataset, Solution
from .services import challenge_reveal_private


class DataFileInline(admin.TabularInline):
    model = DataFile
    extra = 0
    fields = ["name", "kind", "description", "size", "sha256", "position"]
    readonly_fields = ["size", "sha256"]


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "licence"]
    search_fields = ["title", "slug"]
    inlines = [DataFileInline]


class SolutionInline(admin.StackedInline):
    model = Solution
    extra = 0
    readonly_fields = ["sha256", "rows", "public_rows", "updated_at"]
    fields = ["sha256", "rows", "public_rows", "updated_at"]
    can_delete = False


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "slug",
        "level",
        "metric",
        "start_at",
        "end_at",
        "is_published",
        "private_revealed",
    ]
    list_filter = ["level", "is_published"]
    search_fields = ["title", "slug"]
    inlines = [SolutionInline]
    actions = ["reveal_private", "rescore_all", "rebuild_leaderboards"]

    @admin.action(description="Reveal the private leaderboard")
    def reveal_private(self, request: HttpRequest, queryset: QuerySet[Challenge]) -> None:
        for challenge in queryset:
            challenge_reveal_private(challenge=challenge)
        self.message_user(request, f"Revealed the private leaderboard of {queryset.count()} challenge(s).")

    @admin.action(description="Rescore every submission")
    def rescore_all(self, request: HttpRequest, queryset: QuerySet[Challenge]) -> None:
        queued = sum(submissions_rescore(challenge=challenge) for challenge in queryset)
        self.message_user(request, f"Queued {queued} submission(s) for rescoring.", messages.SUCCESS)

    @admin.action(description="Rebuild the leaderboards from the stored scores")
    def rebuild_leaderboards(self, request: HttpRequest, queryset: QuerySet[Challenge]) -> None:
        refreshed = sum(leaderboard_rebuild(challenge=challenge) for challenge in queryset)
        self.message_user(request, f"Recomputed the entries of {refreshed} participant(s).", messages.SUCCESS)
