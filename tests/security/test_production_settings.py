"""hub.settings.production: `check --deploy` clean, and no silent default for what must come from the environment."""

import subprocess
import sys

import pytest

from tests.processes import BIN

REQUIRED = {
    "SECRET_KEY": "k7#Qm2!vX9pL4zR8wT1nB6yH3jF5dS0aG_e-uC+iO=Pq-3fN8xW2mK7rT5vY1",
    "ALLOWED_HOSTS": "hub.example.org",
    "DATABASE_URL": "postgres://hub@db.example.org:5432/hub",
    "CELERY_BROKER_URL": "redis://redis.example.org:6379/0",
    "EMAIL_URL": "smtp+tls://hub:secret@mail.example.org:587",
}


def _manage(tmp_path, *args: str, **environment: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": str(BIN),
        "HOME": str(tmp_path),
        "HUB_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "hub.settings.production",
        **environment,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    done = _manage(tmp_path, "check", "--deploy", "--fail-level", "DEBUG", **REQUIRED, DEBUG="true")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_production_refuses_to_start_without_each_required_setting(tmp_path, missing):
    environment = {name: value for name, value in REQUIRED.items() if name != missing}
    done = _manage(tmp_path, "check", **environment)
    assert done.returncode != 0
    assert f"Set the {missing} environment variable" in done.stderr


def test_production_settings_are_secure_whatever_the_environment_says(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, "
        "s.SECURE_PROXY_SSL_HEADER, s.METRICS_NEED_TOKEN)"
    )
    done = _manage(tmp_path, "shell", "-c", code, **REQUIRED, DEBUG="true")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False True True True ('HTTP_X_FORWARDED_PROTO', 'https') True"
