"""The signing key: none usable in a tracked file; the embedded hub makes its own once; `check --deploy` names a
key that is missing, published or short, whatever the settings module."""

import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from hub.checks import check_secret_key
from hub.secret_key import KEY_FILE_NAME
from tests.compat.test_signed_links import PUBLISHED_KEY
from tests.processes import BIN

ROOT = Path(__file__).resolve().parents[2]

# What an embedded hub (`make run`: hub.settings.base, no SECRET_KEY) says of a ticket and a link signed with the
# published development key: its own refusals, or the bytes stored and the link followed.
FORGED_WITH_THE_PUBLISHED_KEY = f"""
import uuid
from django.core import signing
from django.test import Client
from compat.evalai import RESULT_SALT
from compat.services import UPLOAD_SALT
key = {PUBLISHED_KEY!r}
ticket = signing.dumps({{"u": 1, "c": 1, "f": "p.csv", "s": 3, "n": uuid.uuid4().hex}}, salt=UPLOAD_SALT, key=key)
link = signing.dumps({{"s": 1, "u": 1}}, salt=RESULT_SALT, key=key)
client = Client()
put = client.generic("PUT", "/compat/kaggle/uploads/" + ticket, b"x,y", content_type="text/csv")
got = client.get("/compat/evalai/results/" + link)
print("RESULT", put.status_code, put.json()["message"], "|", got.status_code, got.json()["error"])
"""


def _embedded(tmp_path: Path, *args: str, **environment: str) -> subprocess.CompletedProcess:
    """manage.py as `make run` runs it: base settings, and no SECRET_KEY in the environment."""
    env = {
        "PATH": str(BIN),
        "HOME": str(tmp_path),
        "HUB_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "hub.settings.base",
        **environment,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


def _tracked_text() -> str:
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    texts = []
    for name in names.decode().split("\0"):
        path = ROOT / name
        if name and path.is_file():
            texts.append(path.read_bytes().decode("utf-8", errors="ignore"))
    return "\n".join(texts)


def test_the_embedded_hub_makes_a_random_key_once_keeps_it_private_and_no_tracked_file_holds_it(tmp_path):
    show = "from django.conf import settings; print('KEY', settings.SECRET_KEY)"
    first = _embedded(tmp_path, "shell", "-c", show)
    again = _embedded(tmp_path, "shell", "-c", show)
    elsewhere = _embedded(tmp_path / "other", "shell", "-c", show)

    keys = [done.stdout.split("KEY ", 1)[1].strip() for done in (first, again, elsewhere)]
    key_file = tmp_path / "var" / KEY_FILE_NAME
    assert keys[0] == keys[1] == key_file.read_text().strip()
    assert keys[2] != keys[0]
    assert len(keys[0]) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert keys[0] != PUBLISHED_KEY
    assert keys[0] not in _tracked_text()


def test_the_embedded_hub_refuses_tickets_and_links_signed_with_the_published_development_key(tmp_path):
    done = _embedded(tmp_path, "shell", "-c", FORGED_WITH_THE_PUBLISHED_KEY)

    assert done.returncode == 0, done.stdout + done.stderr
    line = done.stdout.split("RESULT ", 1)[1].strip()
    assert line == (
        "400 This upload token was not given out by this hub. Submit again. | "
        "404 This result link is invalid or has expired. Run `evalai submission ID result` again."
    )


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (PUBLISHED_KEY, "hub.E002"),
        ("test-secret-key-not-for-production-0123456789abcdefghijklmnopqrstuvwxyz", "hub.E002"),
        ("django-insecure-" + "q8v!2m" * 10, "hub.E002"),
        ("short-but-set", "hub.E003"),
        ("a" * 60, "hub.E003"),
    ],
)
def test_check_deploy_in_the_base_settings_names_a_published_or_short_key(tmp_path, key, problem):
    done = _embedded(tmp_path, "check", "--deploy", SECRET_KEY=key)

    assert done.returncode != 0
    assert problem in done.stderr + done.stdout


def test_check_deploy_in_the_base_settings_says_nothing_of_the_embedded_key(tmp_path):
    done = _embedded(tmp_path, "check", "--deploy")

    assert "hub.E00" not in done.stderr + done.stdout, done.stderr + done.stdout


@pytest.mark.parametrize("key", ["", "   "])
def test_the_check_names_a_missing_key(key):
    with override_settings(SECRET_KEY=key):
        assert [error.id for error in check_secret_key()] == ["hub.E001"]


def test_production_refuses_an_empty_key(tmp_path):
    from tests.security.test_production_settings import REQUIRED, _manage

    done = _manage(tmp_path, "check", **{**REQUIRED, "SECRET_KEY": ""})
    assert done.returncode != 0
    assert "Set the SECRET_KEY environment variable: it is empty." in done.stderr
