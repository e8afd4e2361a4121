"""hub login / logout / whoami, and how the CLI reports a wrong token or a hub that is down."""

import socket
import stat
import subprocess
import sys

import pytest
from rest_framework.authtoken.models import Token

from tests.cli.conftest import PASSWORD

pytestmark = [pytest.mark.slow]


def test_login_with_a_password_stores_the_token_readable_only_by_the_user(run_hub, learner, live_server):
    result = run_hub("login", live_server.url, url=None, input=f"ada\n{PASSWORD}\n")

    assert result.code == 0, result.stderr
    assert "Signed in" in result.stderr and "as ada" in result.stderr
    stored = run_hub.config_home / "hub" / "config.json"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert Token.objects.get(user=learner).key in stored.read_text()
    whoami = run_hub("whoami", url=None)
    assert whoami.code == 0, whoami.stderr
    assert whoami.stdout.startswith(f"ada at {live_server.url}")
    assert run_hub("whoami", "--json", url=None).json()["username"] == "ada"


def test_login_with_a_wrong_password_says_so_and_stores_nothing(run_hub, learner, live_server):
    result = run_hub("login", live_server.url, "--username", "ada", "--password", "wrong", url=None)

    assert result.code == 1
    assert "username or password is wrong" in result.stderr
    assert not (run_hub.config_home / "hub" / "config.json").exists()


def test_login_with_a_token_then_logout_with_revoke_makes_the_token_useless(run_hub, token, live_server):
    assert run_hub("login", live_server.url, "--token", token, url=None).code == 0

    result = run_hub("logout", "--revoke", url=None)

    assert result.code == 0, result.stderr
    assert "revoked" in result.stderr and "Signed out" in result.stderr
    assert not Token.objects.filter(key=token).exists()
    assert not (run_hub.config_home / "hub" / "config.json").exists()
    again = run_hub("whoami", token=token)
    assert again.code == 4
    assert "refused your token" in again.stderr and "hub login" in again.stderr


def test_a_wrong_token_is_refused_with_a_plain_message_and_exit_code_4(run_hub, challenge):
    for command in (["whoami"], ["submissions", challenge.slug], ["limits", challenge.slug]):
        result = run_hub(*command, token="not-a-real-token")
        assert result.code == 4, (command, result.stderr)
        assert "refused your token" in result.stderr

    as_json = run_hub("whoami", "--json", token="not-a-real-token")
    assert as_json.code == 4
    assert as_json.json()["status"] == 401


def test_commands_that_need_a_sign_in_say_how_to_get_one(run_hub, challenge):
    result = run_hub("submissions", challenge.slug)
    assert result.code == 4
    assert "not signed in" in result.stderr and "hub login" in result.stderr


def test_a_hub_that_is_down_gives_a_plain_message_and_exit_code_3(run_hub, tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{probe.getsockname()[1]}"
    (tmp_path / "p.csv").write_text("id,label\n1,a\n")
    for command in (["challenges"], ["files", "tiny"], ["download", "tiny"], ["submit", "tiny", "p.csv"]):
        result = run_hub(*command, url=down, token="any")
        assert result.code == 3, (command, result.stderr)
        assert f"Could not connect to the hub at {down}" in result.stderr
    assert run_hub("challenges", "--json", url=down).json()["error"].startswith("Could not connect")


def test_the_cli_imports_no_django():
    code = (
        "import sys, hub_cli.main; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'rest_framework')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
