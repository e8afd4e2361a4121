from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = "Hub"

    def ready(self) -> None:
        # The Celery app, current before any task is sent, so that shared_task binds to it (hub/__init__.py says why
        # not there); and the system checks, registered on import.
        from . import celery, checks  # noqa: F401
