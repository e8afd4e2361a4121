"""The EvalAI and Kaggle protocols report the learner's real team, not a team of one invented per learner."""

import pytest

from submissions.services.teams import team_create, team_join
from tests.factories import UserFactory
from tests.teams.conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def owls(challenge, learner):
    team = team_create(challenge=challenge, user=learner, name="Owls")
    team_join(challenge=challenge, user=UserFactory(username="ben"), invite_code=team.invite_code)
    return team


def test_evalai_lists_my_participant_teams_with_their_members(evalai_client, challenge, owls):
    body = evalai_client.get("/api/participants/participant_team").json()
    assert [(t["id"], t["team_name"], t["created_by"]) for t in body["results"]] == [(owls.pk, "Owls", "ada")]
    assert [m["member_name"] for m in body["results"][0]["members"]] == ["ada", "ben"]


def test_evalai_submissions_name_the_team(evalai_client, challenge, learner, owls):
    submit(challenge, learner)
    rows = evalai_client.get(
        f"/api/jobs/challenge/{challenge.pk}/challenge_phase/{challenge.pk}/submission/"
    ).json()["results"]
    assert [(r["participant_team"], r["participant_team_name"]) for r in rows] == [(owls.pk, "Owls")]


def test_kaggle_submissions_name_the_team_and_the_size_is_the_challenges(
    kaggle_client,
    challenge,
    learner,
    owls,
):
    submit(challenge, learner)
    listed = kaggle_client.post(
        "/api/v1/competitions.CompetitionApiService/ListSubmissions",
        {"competitionName": challenge.slug},
        format="json",
    ).json()["submissions"]
    assert [(s["teamName"], s["submittedBy"]) for s in listed] == [("Owls", "ada")]
    competitions = kaggle_client.post(
        "/api/v1/competitions.CompetitionApiService/ListCompetitions", {}, format="json"
    ).json()["competitions"]
    assert competitions[0]["maxTeamSize"] == challenge.max_team_size == 5


def test_a_solo_learner_is_their_own_team_in_both(evalai_client, kaggle_client, challenge, learner):
    submit(challenge, learner)
    teams = evalai_client.get("/api/participants/participant_team/").json()["results"]
    assert [t["team_name"] for t in teams] == ["ada"]
    listed = kaggle_client.post(
        "/api/v1/competitions.CompetitionApiService/ListSubmissions",
        {"competitionName": challenge.slug},
        format="json",
    ).json()["submissions"]
    assert listed[0]["teamName"] == "ada"
