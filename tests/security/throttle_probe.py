"""Run as a script under a settings module (DJANGO_SETTINGS_MODULE): sends requests with a rotating
X-Forwarded-For to every rate limit and prints, as JSON, the status codes each one answered.

tests/security/test_client_address.py runs it under hub.settings.test and hub.settings.production, each on a
SQLite file of its own, so that the production settings are exercised as they load, not as overridden here.
"""

import json
import os
import sys

import django

sys.path.insert(0, os.getcwd())
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

CLIENT = "192.0.2.7"  # where every request comes from: the connection's address
PROXY = "192.0.2.1"
LIMIT = 3
REQUESTS = 6
HIGH = "1000/minute"


def rates(**low: str) -> dict:
    base = {"anon": HIGH, "user": HIGH, "auth": HIGH, "password_reset": HIGH}
    return {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**base, **low}}


def send(kind: str, number: int, *, forwarded: str, remote: str = CLIENT, token: str = "") -> int:
    client = Client(REMOTE_ADDR=remote)
    headers = {"X-Forwarded-For": forwarded}
    if token:
        headers["Authorization"] = f"Token {token}"
    if kind == "api":
        return client.get("/api/v1/challenges/", headers=headers, secure=True).status_code
    if kind == "sign-in-api":
        body = {"username": f"sprayed-{number}", "password": "Winter2026!"}
        return client.post(
            "/api/v1/auth/token/", body, content_type="application/json", headers=headers, secure=True
        ).status_code
    if kind == "sign-in-form":
        body = {"username": f"sprayed-{number}", "password": "Winter2026!"}
        return client.post("/accounts/login/", body, headers=headers, secure=True).status_code
    raise ValueError(kind)


def run(
    kind: str, low: dict, *, proxies: list[str] | None = None, same_client: bool = False, **extra
) -> list:
    cache.clear()
    # Pages render without collectstatic (the manifest production serves from): not what is probed here.
    static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(REST_FRAMEWORK=rates(**low), HUB_TRUSTED_PROXIES=proxies or [], STORAGES=static):
        return [
            send(kind, n, forwarded="198.51.100.9" if same_client else f"198.51.100.{n}", **extra)
            for n in range(REQUESTS)
        ]


def main() -> None:
    call_command("migrate", interactive=False, verbosity=0)
    user = get_user_model().objects.create_user("probe", password="probe-password-1")
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=user).key
    limit = f"{LIMIT}/minute"
    results = {
        "anonymous": run("api", {"anon": limit}),
        "user (anonymous caller)": run("api", {"user": limit}),
        "user (signed-in caller)": run("api", {"user": limit}, token=token),
        "sign-in API": run("sign-in-api", {"auth": limit}),
        "sign-in form": run("sign-in-form", {"auth": limit}),
        # Behind a trusted proxy: each forwarded client has a count of its own, one client still runs out.
        "proxy, many clients": run("api", {"anon": limit}, proxies=[PROXY], remote=PROXY),
        "proxy, one client": run("api", {"anon": limit}, proxies=[PROXY], remote=PROXY, same_client=True),
    }
    print("PROBE " + json.dumps(results))


main()
