"""The Celery app is loaded with Django, not with the hub package: the container's health check stays light."""

import os
import subprocess
import sys


def _run(statements: str) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hub.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", statements], capture_output=True, text=True, timeout=60, check=True, env=env
    )
    return done.stdout.strip()


def test_the_health_check_imports_neither_celery_nor_django():
    loaded = set(_run("import sys, hub.healthcheck; print(' '.join(sys.modules))").split())
    assert "hub.healthcheck" in loaded
    assert not {name for name in loaded if name.split(".")[0] in {"celery", "kombu", "django"}}


def test_a_django_process_sends_tasks_with_the_hub_app_without_importing_it_itself():
    # What a web process does: set Django up, then send through a shared task. No import of hub.celery here.
    answer = _run(
        "import django; django.setup()\n"
        "from celery import current_app\n"
        "from django.conf import settings\n"
        "from accounts.tasks import send_mail\n"
        "print(current_app.main, send_mail.app.main, send_mail.app.conf.broker_url == settings.CELERY_BROKER_URL)"
    )
    assert answer.splitlines()[-1] == "hub hub True"
