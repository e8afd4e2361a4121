from django.contrib import admin

from community.models import Post, PostReport, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "challenge",
        "author",
        "is_announcement",
        "is_pinned",
        "is_locked",
        "is_hidden",
        "last_activity_at",
    ]
    list_filter = ["is_pinned", "is_locked", "is_hidden", "is_announcement", "challenge"]
    list_editable = ["is_pinned", "is_locked", "is_hidden"]
    search_fields = ["title"]
    raw_id_fields = ["author"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["pk", "topic", "author", "by_host", "is_hidden", "is_deleted", "created_at", "edited_at"]
    list_filter = ["is_hidden", "is_deleted", "by_host"]
    list_editable = ["is_hidden"]
    search_fields = ["body"]
    raw_id_fields = ["author", "topic"]


@admin.register(PostReport)
class PostReportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "post", "reporter", "reason", "resolved"]
    list_filter = ["resolved"]
    list_editable = ["resolved"]
    raw_id_fields = ["post", "reporter"]
