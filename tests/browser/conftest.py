"""Browser tests: Debian's Chromium driven by Playwright, against pytest-django's live server and a real
`celery worker` process on the real broker and the test database.

Screenshots go to a temporary folder; with HUB_SCREENSHOTS=docs/screenshots they replace the ones in the docs.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from projects.services import challenge_import_bundle

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
DIGITS = "identify-the-digits"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            "The browser tests need Debian's Chromium: apt-get install -y chromium (.ci/run does this)."
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make between browser
    # steps are synchronous and safe, so Django's guard against async contexts is lifted while it runs (one
    # module at a time, so the rest of the suite keeps the guard).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def worker(shared_worker):
    """The session's real `celery worker` (tests/conftest.py); each test's rows are flushed, the process stays."""
    return shared_worker


@pytest.fixture(scope="session")
def digits_bundle(builtin_bundle) -> Path:
    """The real Identify the Digits bundle, built once per test run."""
    return builtin_bundle(DIGITS)


@pytest.fixture
def digits(transactional_db, digits_bundle, worker):
    """Identify the Digits imported for this test; the worker scores its baseline as it would on a real hub."""
    return challenge_import_bundle(digits_bundle).challenge


@pytest.fixture
def shoot(tmp_path):
    """Save a screenshot, shrunk to a 256-colour PNG so the ones kept in docs/ stay small."""
    folder = Path(os.environ.get("HUB_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def save(page, name: str, *, full_page: bool = True) -> Path:
        image = Image.open(io.BytesIO(page.screenshot(full_page=full_page, animations="disabled")))
        path = folder / f"{name}.png"
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
        return path

    return save
