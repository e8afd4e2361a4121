from django.contrib import admin

from .models import Milestone, Track, TrackStep


class TrackStepInline(admin.TabularInline):
    model = TrackStep
    extra = 1
    autocomplete_fields = ["challenge"]


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "featured_order", "is_published"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [TrackStepInline]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["user", "challenge", "kind", "awarded_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "challenge__slug"]
    raw_id_fields = ["user", "challenge", "submission"]
