"""Pages of the site as a whole: the home page, and /healthz for load balancers and the container check."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hub.celery import app as celery_app
from projects.selectors import challenges_published

START_HERE_SLUG = "identify-the-digits"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # The beginner's first challenge leads its level.
    challenges = sorted(challenges_published(), key=lambda c: c.slug != START_HERE_SLUG)
    levels = [
        (level, [c for c in challenges if c.level == level])
        for level in ("beginner", "intermediate", "advanced")
    ]
    start_here = next(
        (c for c in challenges if c.slug == START_HERE_SLUG), challenges[0] if challenges else None
    )
    return render(request, "hub/home.html", {"levels": levels, "start_here": start_here, "nav": "home"})


def healthz(request: HttpRequest) -> JsonResponse:
    """Whether the database and the broker answer; 200 either way, so the body says which is down."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    return JsonResponse({"status": "ok" if all(checks.values()) else "degraded", **checks})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False
