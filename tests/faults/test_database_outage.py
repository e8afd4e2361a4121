"""The database goes down under a running gunicorn: every protocol answers 503 with Retry-After in its own shape
(the API's JSON, the Kaggle CLI's JSON, a styled page for the web), not Django's bare "Server Error (500)"; once it
is back, the same requests succeed. The database is a private PostgreSQL cluster that this test stops."""

import base64
import subprocess
import sys

import httpx
import pytest

from tests.faults.servers import free_port
from tests.processes import WebServer, child_env

pytestmark = [pytest.mark.slow]

SEED = """
from pathlib import Path
from rest_framework.authtoken.models import Token
from projects.services import challenge_import_bundle
from tests.bundles import write_bundle
from tests.factories import UserFactory
challenge_import_bundle(write_bundle(Path({folder!r}), slug="tiny", rows=20))
Token.objects.create(user=UserFactory(username="ada"), key="{key}")
"""
KEY = "0" * 40


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], env=env, check=True, capture_output=True, timeout=300
    )


@pytest.fixture
def web_on_private_database(private_postgres, tmp_path):
    env = child_env(DATABASE_URL=private_postgres.url)
    _manage(env, "migrate", "--no-input")
    _manage(env, "shell", "-c", SEED.format(folder=str(tmp_path / "bundle"), key=KEY))
    web = WebServer(tmp_path, port=free_port(), workers=1)
    web.env |= {"DATABASE_URL": private_postgres.url}
    try:
        yield web.start()
    finally:
        web.stop()


def _requests(client: httpx.Client) -> dict[str, httpx.Response]:
    kaggle = "Basic " + base64.b64encode(f"ada:{KEY}".encode()).decode()
    return {
        "page": client.get("/challenges/tiny/leaderboard/"),
        "home": client.get("/"),
        "api": client.get("/api/v1/challenges/tiny/leaderboard/", headers={"Authorization": f"Token {KEY}"}),
        "evalai": client.get(
            "/api/challenges/challenge/present/1/1", headers={"Authorization": f"Bearer {KEY}"}
        ),
        "kaggle": client.post(
            "/api/v1/competitions.CompetitionApiService/ListCompetitions",
            json={},
            headers={"Authorization": kaggle},
        ),
    }


def test_a_database_outage_is_a_503_with_retry_after_on_every_protocol(
    web_on_private_database, private_postgres
):
    with httpx.Client(base_url=web_on_private_database.url, timeout=30) as client:
        before = _requests(client)
        assert {name: r.status_code for name, r in before.items()} == dict.fromkeys(before, 200)

        private_postgres.stop()
        during = _requests(client)
        assert {name: r.status_code for name, r in during.items()} == dict.fromkeys(during, 503), {
            name: r.text[:300] for name, r in during.items()
        }
        for response in during.values():
            assert int(response.headers["Retry-After"]) > 0
        for name in ("page", "home"):
            assert during[name].headers["Content-Type"].startswith("text/html")
            assert "cannot reach its database" in during[name].text
            assert "Practice Hub" in during[name].text  # the site's own page, from base.html
        for name in ("api", "evalai"):
            body = during[name].json()
            assert body["code"] == "unavailable" and body["detail"] is None
            assert "cannot reach its database" in body["error"]
        assert during["kaggle"].json() == {"code": 503, "message": during["api"].json()["error"]}

        private_postgres.start()
        after = _requests(client)
        assert {name: r.status_code for name, r in after.items()} == dict.fromkeys(after, 200)
