"""hub team show|create|join|leave, run as a subprocess against the live server."""

import pytest
from rest_framework.authtoken.models import Token

from submissions.models import Participant
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow]


def test_create_show_join_and_leave_a_team_from_the_terminal(run_hub, challenge, token):
    created = run_hub("team", "create", challenge.slug, "Owls", token=token)
    assert created.code == 0, created.stderr
    assert "Owls" in created.stdout and "led by ada" in created.stdout and "Invite link:" in created.stdout
    team = Participant.objects.get(name="Owls")

    ben_token = Token.objects.create(user=UserFactory(username="ben")).key
    link = f"http://testserver/challenges/{challenge.slug}/team/join/{team.invite_code}/"
    joined = run_hub("team", "join", challenge.slug, link, "--json", token=ben_token)  # the whole link works
    assert joined.code == 0, joined.stderr
    assert [m["username"] for m in joined.json()["members"]] == ["ada", "ben"]

    shown = run_hub("team", "show", challenge.slug, "--json", token=ben_token)
    assert shown.json()["name"] == "Owls" and shown.json()["leader"] == "ada"

    left = run_hub("team", "leave", challenge.slug, token=ben_token)
    assert left.code == 0 and "You left the team" in left.stdout
    again = run_hub("team", "leave", challenge.slug, token=ben_token)
    assert again.code == 1 and "there is none to leave" in again.stderr


def test_a_refused_join_prints_the_hubs_sentence(run_hub, challenge, token):
    result = run_hub("team", "join", challenge.slug, "no-such-code", token=token)
    assert result.code == 1
    assert "No team of" in result.stderr and "invite code" in result.stderr
