from django.apps import AppConfig


class CommunityConfig(AppConfig):
    """Discussion of challenges: topics, replies, moderation and reports."""

    name = "community"
    default_auto_field = "django.db.models.BigAutoField"
