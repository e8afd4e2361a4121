"""Test settings: base, with what tests need changed.

Each test process gets a folder of its own for files, broker messages and the SQLite database, set in the
environment *before* base is read, so that worker and web processes started by a test inherit it and share them.
"""

import os
import secrets
import tempfile

_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
# pytest-xdist's processes inherit the environment of the one that started them, which read these settings
# too: a folder made by another test process is not this one's (HUB_TEST_VAR_DIR_OF says whose it is). The
# worker and web processes a test starts inherit both variables and so share its folder.
if not os.environ.get("HUB_VAR_DIR") or os.environ.get("HUB_TEST_VAR_DIR_OF", _worker) != _worker:
    os.environ["HUB_VAR_DIR"] = tempfile.mkdtemp(prefix=f"hub-test-{_worker}-")
    os.environ["HUB_TEST_VAR_DIR_OF"] = _worker
# A key of this test run's own, in the environment so that the web and worker processes a test starts sign and
# check with it too; no key that works anywhere is written in a tracked file.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

from .base import *  # noqa: E402, F403
from .base import DATABASES, VAR_DIR  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not the in-memory default, so that worker processes see the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-hub.sqlite3")}

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
# Test processes may share one Redis: a queue per process keeps their workers apart.
CELERY_TASK_DEFAULT_QUEUE = f"hub-test-{VAR_DIR.name}"
# Tests run without collectstatic: whitenoise serves from the app folders.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Each test process counts rate limits on its own, cleared between tests by the fixtures that need it.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
