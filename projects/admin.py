import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from submissions.selectors import challenge_scoring_problem
from submissions.services.leaderboard_jobs import leaderboard_rebuild
from submissions.services.scoring import submissions_rescore

from .bundles import BundleError
from .models import Challenge, DataFile, Dataset, DatasetReport, DatasetVersion, Solution
from .services import challenge_import_bundle, challenge_reveal_private


class BundleUploadForm(forms.Form):
    bundle = forms.FileField(label="Bundle (.zip)", help_text="A zip of a folder with a challenge.yaml")


class DataFileInline(admin.TabularInline):
    model = DataFile
    extra = 0
    fields = ["name", "kind", "description", "size", "sha256", "position"]
    readonly_fields = ["size", "sha256"]


class DatasetVersionInline(admin.TabularInline):
    """Versions are immutable: shown, never edited here."""

    model = DatasetVersion
    extra = 0
    fields = ["number", "note", "created_at", "zip_state", "zip_size", "zip_sha256", "download_count"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "slug", "visibility", "is_hidden", "licence_id"]
    list_filter = ["visibility", "is_hidden", "licence_id"]
    search_fields = ["title", "slug", "owner__username"]
    raw_id_fields = ["owner"]
    inlines = [DataFileInline, DatasetVersionInline]
    actions = ["hide", "unhide"]

    @admin.action(description="Hide the selected datasets (only their owners still see them)")
    def hide(self, request: HttpRequest, queryset: QuerySet[Dataset]) -> None:
        self.message_user(request, f"Hid {queryset.update(is_hidden=True)} dataset(s).")

    @admin.action(description="Show the selected datasets again")
    def unhide(self, request: HttpRequest, queryset: QuerySet[Dataset]) -> None:
        self.message_user(request, f"Showed {queryset.update(is_hidden=False)} dataset(s) again.")


@admin.register(DatasetReport)
class DatasetReportAdmin(admin.ModelAdmin):
    list_display = ["dataset", "reporter", "created_at", "resolved", "reason"]
    list_filter = ["resolved"]
    search_fields = ["dataset__title", "dataset__slug", "reporter__username", "reason"]
    readonly_fields = ["dataset", "reporter", "reason", "created_at"]
    actions = ["hide_dataset", "mark_resolved"]

    @admin.action(description="Hide the reported datasets and mark the reports resolved")
    def hide_dataset(self, request: HttpRequest, queryset: QuerySet[DatasetReport]) -> None:
        hidden = Dataset.objects.filter(reports__in=queryset).update(is_hidden=True)
        queryset.update(resolved=True)
        self.message_user(request, f"Hid {hidden} dataset(s).")

    @admin.action(description="Mark resolved")
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet[DatasetReport]) -> None:
        queryset.update(resolved=True)


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
    readonly_fields = ["scoring_problem"]
    actions = ["reveal_private", "rescore_all", "rebuild_leaderboards"]
    change_list_template = "admin/projects/challenge/change_list.html"

    @admin.display(description="Latest hub-side scoring error")
    def scoring_problem(self, challenge: Challenge) -> str:
        problem = challenge_scoring_problem(challenge=challenge) if challenge.pk else None
        if problem is None:
            return "None"
        return f"{problem.internal_error} (submission {problem.pk}, {problem.finished_at:%Y-%m-%d %H:%M} UTC)"

    def get_urls(self):
        upload = path(
            "import-bundle/", self.admin_site.admin_view(self.import_bundle), name="challenge-import-bundle"
        )
        return [upload, *super().get_urls()]

    def import_bundle(self, request: HttpRequest) -> HttpResponse:
        """Create or update a challenge from an uploaded bundle zip; a bad bundle is refused whole, with the reason."""
        if not self.has_add_permission(request):
            raise PermissionError
        form = BundleUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            with tempfile.TemporaryDirectory(prefix="bundle-upload-") as tmp:
                archive = Path(tmp) / "bundle.zip"
                with archive.open("wb") as out:
                    for chunk in form.cleaned_data["bundle"].chunks():
                        out.write(chunk)
                try:
                    result = challenge_import_bundle(archive)
                except BundleError as exc:
                    form.add_error("bundle", str(exc))
                else:
                    verb = "Created" if result.created else "Updated"
                    rescored = (
                        f" {result.rescored} submission(s) queued for rescoring." if result.rescored else ""
                    )
                    if result.restored:
                        rescored += f" Restored, missing or damaged in storage: {', '.join(result.restored)}."
                    self.message_user(request, f"{verb} challenge '{result.challenge.slug}'.{rescored}")
                    return redirect("admin:projects_challenge_change", result.challenge.pk)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.model._meta,
            "title": "Import a challenge bundle",
        }
        return TemplateResponse(request, "admin/projects/challenge/import_bundle.html", context)

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
