"""The client's address: X-Forwarded-For only from HUB_TRUSTED_PROXIES, one rule for rate limits, axes and logs."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from gunicorn.config import Config

from hub.addresses import client_address, client_address_of
from hub.gunicorn_logging import ClientAddressLogger
from hub.throttling import PASSWORD_RESET_SCOPE, SIGN_IN_SCOPE, rate_limited_by_address
from tests.factories import UserFactory
from tests.processes import BIN
from tests.security.test_production_settings import REQUIRED

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 3


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "client"),
    [
        # No trusted proxy: the header is anyone's text, whatever it says.
        ("192.0.2.7", "198.51.100.1", [], "192.0.2.7"),
        ("192.0.2.7", "198.51.100.1", ["10.0.0.0/8"], "192.0.2.7"),
        # A trusted proxy appended the address it was connected from: the rightmost untrusted one.
        ("10.0.0.2", "198.51.100.1", ["10.0.0.0/8"], "198.51.100.1"),
        ("10.0.0.2", "1.2.3.4, 198.51.100.1", ["10.0.0.0/8"], "198.51.100.1"),
        ("10.0.0.2", "1.2.3.4, 198.51.100.1, 10.0.0.9", ["10.0.0.0/8"], "198.51.100.1"),
        ("172.18.0.1", "2001:db8::5", ["172.18.0.1"], "2001:db8::5"),
        # What a client wrote before the proxy's part is never taken for an address.
        ("10.0.0.2", "198.51.100.1, not-an-address", ["10.0.0.0/8"], "10.0.0.2"),
        # Nothing forwarded, or only proxies: the connection, or the first proxy.
        ("10.0.0.2", "", ["10.0.0.0/8"], "10.0.0.2"),
        ("10.0.0.2", "10.0.0.3", ["10.0.0.0/8"], "10.0.0.3"),
    ],
)
def test_the_client_is_the_rightmost_address_not_of_a_trusted_proxy(remote, forwarded, trusted, client):
    meta = {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}
    assert client_address_of(meta, trusted) == client


def test_axes_and_the_access_log_use_the_same_address():
    from axes.helpers import get_client_ip_address

    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    environ = {**request.META, "RAW_URI": "/", "SERVER_PROTOCOL": "HTTP/1.1"}
    logger = ClientAddressLogger(Config())
    response = SimpleNamespace(status="200 OK", sent=0, headers=[])

    def logged() -> str:
        return logger.atoms(response, SimpleNamespace(headers=[]), environ, dt.timedelta(0))["h"]

    assert get_client_ip_address(request) == client_address(request) == logged() == "192.0.2.7"
    with override_settings(HUB_TRUSTED_PROXIES=["192.0.2.7"]):
        assert get_client_ip_address(request) == client_address(request) == logged() == "198.51.100.1"


def _probe(tmp_path: Path, module: str) -> dict[str, list[int]]:
    env = {
        "PATH": str(BIN),
        "HOME": str(tmp_path),
        "HUB_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": module,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://localhost/",
    }
    if module == "hub.settings.production":
        env.update({**REQUIRED, "ALLOWED_HOSTS": "testserver", "DATABASE_URL": env["DATABASE_URL"]})
        env["CELERY_BROKER_URL"] = "filesystem://localhost/"
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "security" / "throttle_probe.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("PROBE "))
    return json.loads(line.removeprefix("PROBE "))


@pytest.fixture(scope="module", params=["hub.settings.test", "hub.settings.production"])
def probed(request, tmp_path_factory) -> dict[str, list[int]]:
    return _probe(tmp_path_factory.mktemp("probe"), request.param)


@pytest.mark.parametrize(
    "limit",
    ["anonymous", "user (anonymous caller)", "user (signed-in caller)", "sign-in API", "sign-in form"],
)
def test_a_rotating_x_forwarded_for_does_not_reset_the_limit(probed, limit):
    statuses = probed[limit]
    assert 429 not in statuses[:LIMIT], statuses
    assert statuses[LIMIT:] == [429] * (len(statuses) - LIMIT), statuses


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_count(probed):
    assert 429 not in probed["proxy, many clients"], probed["proxy, many clients"]
    one = probed["proxy, one client"]
    assert one[LIMIT:] == [429] * (len(one) - LIMIT), one


def _rates(**low: str) -> dict:
    from django.conf import settings

    rates = {scope: "1000/minute" for scope in ("anon", "user", "auth", "password_reset")}
    return {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, **low}}


@pytest.mark.django_db
def test_the_sign_in_form_limits_an_address_spraying_many_usernames_with_a_clear_429(client):
    UserFactory(username="ada")
    with override_settings(REST_FRAMEWORK=_rates(auth=f"{LIMIT}/minute")):
        for number in range(LIMIT):
            response = client.post("/accounts/login/", {"username": f"user{number}", "password": "Spring1!"})
            assert response.status_code == 400
        refused = client.post("/accounts/login/", {"username": "ada", "password": "Spring1!"})
        # Showing the form is not an attempt.
        assert client.get("/accounts/login/").status_code == 200
        # The admin's sign-in form draws on the same count.
        assert client.post("/admin/login/", {"username": "ada", "password": "x"}).status_code == 429
    assert refused.status_code == 429
    assert b"Too many sign-in attempts from your address" in refused.content
    assert 0 < int(refused["Retry-After"]) <= 60


@pytest.mark.django_db
def test_the_sign_in_form_and_the_token_endpoint_share_one_count_per_address(client):
    with override_settings(REST_FRAMEWORK=_rates(auth=f"{LIMIT}/minute")):
        for number in range(LIMIT):
            client.post("/api/v1/auth/token/", {"username": f"u{number}", "password": "x"})
        assert client.post("/accounts/login/", {"username": "u9", "password": "x"}).status_code == 429


def test_password_reset_requests_have_a_named_per_address_limit_ready_for_their_view():
    @rate_limited_by_address(PASSWORD_RESET_SCOPE)
    def request_reset(request):
        return HttpResponse("sent")

    factory = RequestFactory()
    with override_settings(REST_FRAMEWORK=_rates(password_reset="2/hour")):
        statuses = [
            request_reset(
                factory.post("/", REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
            ).status_code
            for n in range(3)
        ]
        other = request_reset(factory.post("/", REMOTE_ADDR="192.0.2.8")).status_code
    assert statuses == [200, 200, 429]
    assert other == 200
    assert SIGN_IN_SCOPE != PASSWORD_RESET_SCOPE


def test_a_trusted_proxy_list_that_is_not_addresses_stops_the_start(tmp_path):
    env = {"PATH": str(BIN), "HOME": str(tmp_path), "HUB_VAR_DIR": str(tmp_path / "var")}
    env.update(DJANGO_SETTINGS_MODULE="hub.settings.base", HUB_TRUSTED_PROXIES="10.0.0.1,proxy.example.org")
    done = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert (
        "HUB_TRUSTED_PROXIES holds 'proxy.example.org', which is not an IP address or network" in done.stderr
    )
