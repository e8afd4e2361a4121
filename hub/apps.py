from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = "Hub"

    def ready(self) -> None:
        # The Celery app, current before any task is sent, so that shared_task binds to it (hub/__init__.py says why
        # not there); and the system checks, registered on import.
        from . import celery, checks  # noqa: F401

        # SQLite opens its file but makes no folder for it; the settings no longer make one on import.
        database = settings.DATABASES["default"]
        if database["ENGINE"] == "django.db.backends.sqlite3" and database["NAME"] != ":memory:":
            Path(database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
