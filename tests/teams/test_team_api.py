"""The REST API of teams, through DRF's test client: shapes, statuses and who may see what."""

import pytest
from rest_framework.test import APIClient

from submissions.models import TeamMergeRequest
from tests.factories import UserFactory
from tests.teams.conftest import submit

pytestmark = pytest.mark.django_db


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(challenge, tail: str = "") -> str:
    return f"/api/v1/challenges/{challenge.slug}/team/{tail}"


def test_my_team_is_a_404_with_what_to_do_until_i_have_one(challenge, user):
    response = client_of(user).get(url(challenge))
    assert response.status_code == 404
    assert response.json()["code"] == "no_team" and "create one" in response.json()["error"]


def test_a_solo_learner_sees_their_team_of_one_after_an_upload(challenge, user):
    submit(challenge, user)
    body = client_of(user).get(url(challenge)).json()
    assert body["solo"] is True and body["name"] == user.username and body["leader"] == user.username
    assert [m["username"] for m in body["members"]] == [user.username]


def test_create_join_and_the_shape_of_my_team(challenge, user, other_user):
    created = client_of(user).post(url(challenge), {"name": "Owls"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert set(body) >= {"id", "name", "members", "leader", "invite_code", "invite_url", "merge_requests"}
    assert body["name"] == "Owls" and body["solo"] is False and body["leader"] == user.username
    assert body["invite_url"].endswith(f"/challenges/{challenge.slug}/team/join/{body['invite_code']}/")

    joined = client_of(other_user).post(
        url(challenge, "join/"), {"invite_code": body["invite_code"]}, format="json"
    )
    assert joined.status_code == 200, joined.json()
    assert [m["username"] for m in joined.json()["members"]] == [user.username, other_user.username]
    assert joined.json()["id"] == body["id"]


def test_refusals_have_their_status_code_and_sentence(challenge, user, other_user):
    client_of(user).post(url(challenge), {"name": "Owls"}, format="json")
    taken = client_of(other_user).post(url(challenge), {"name": "OWLS"}, format="json")
    assert taken.status_code == 409 and taken.json()["code"] == "name_taken"
    assert "already called 'OWLS'" in taken.json()["error"]
    blank = client_of(other_user).post(url(challenge), {"name": "  "}, format="json")
    assert blank.status_code == 400
    missing = client_of(other_user).post(url(challenge), {}, format="json")
    assert missing.status_code == 400 and missing.json()["error"].startswith("name:")
    bad_code = client_of(other_user).post(url(challenge, "join/"), {"invite_code": "nope"}, format="json")
    assert bad_code.status_code == 404 and bad_code.json()["code"] == "invite_invalid"
    not_leader = client_of(other_user).post(url(challenge, "invite/rotate/"))
    assert not_leader.status_code == 409 and not_leader.json()["code"] == "not_in_team"


def test_only_members_see_the_invite_code(challenge, user, other_user):
    client_of(user).post(url(challenge), {"name": "Owls"}, format="json")
    # An outsider's GET is about their own team: they have none, so they see nothing of the Owls.
    response = client_of(other_user).get(url(challenge))
    assert response.status_code == 404
    assert APIClient().get(url(challenge)).status_code == 401


def test_leave_remove_and_hand_over_through_the_api(challenge, user, other_user):
    third = UserFactory()
    code = client_of(user).post(url(challenge), {"name": "Owls"}, format="json").json()["invite_code"]
    for member in (other_user, third):
        client_of(member).post(url(challenge, "join/"), {"invite_code": code}, format="json")
    removed = client_of(user).post(url(challenge, f"members/{third.pk}/remove/"))
    assert removed.status_code == 200 and len(removed.json()["members"]) == 2
    handed = client_of(user).post(url(challenge, "leader/"), {"user": other_user.pk}, format="json")
    assert handed.status_code == 200 and handed.json()["leader"] == other_user.username
    assert client_of(user).post(url(challenge, "leave/")).status_code == 204
    assert client_of(user).get(url(challenge)).status_code == 404
    assert client_of(other_user).get(url(challenge)).json()["members"][0]["username"] == other_user.username
    again = client_of(user).post(url(challenge, "leave/"))
    assert again.status_code == 409 and again.json()["code"] == "not_in_team"


def test_merge_request_and_accept_through_the_api(challenge, user, other_user):
    owls = client_of(user).post(url(challenge), {"name": "Owls"}, format="json").json()
    client_of(other_user).post(url(challenge), {"name": "Hawks"}, format="json")
    sent = client_of(other_user).post(url(challenge, "merge-requests/"), {"team": "owls"}, format="json")
    assert sent.status_code == 201, sent.json()
    assert sent.json()["receiver"] == {"id": owls["id"], "name": "Owls"}
    received = client_of(user).get(url(challenge, "merge-requests/")).json()["received"]
    assert [r["sender"]["name"] for r in received] == ["Hawks"]
    # The sender cannot accept its own request.
    request_id = sent.json()["id"]
    assert (
        client_of(other_user).post(url(challenge, f"merge-requests/{request_id}/accept/")).status_code == 403
    )
    accepted = client_of(user).post(url(challenge, f"merge-requests/{request_id}/accept/"))
    assert accepted.status_code == 200, accepted.json()
    assert [m["username"] for m in accepted.json()["members"]] == [user.username, other_user.username]
    assert not TeamMergeRequest.objects.exists()
    unknown = client_of(user).post(url(challenge, "merge-requests/"), {"team": "Nobody"}, format="json")
    assert unknown.status_code == 404


def test_the_merge_refusal_carries_the_numbers(challenge, user, other_user):
    challenge.daily_limit = 5
    challenge.save()
    client_of(user).post(url(challenge), {"name": "Owls"}, format="json")
    client_of(other_user).post(url(challenge), {"name": "Hawks"}, format="json")
    for learner, count in ((user, 4), (other_user, 3)):
        for _ in range(count):
            submit(challenge, learner)
    response = client_of(other_user).post(url(challenge, "merge-requests/"), {"team": "Owls"}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "error": "Together you made 7 submissions today; the daily limit is 5. Merge tomorrow.",
        "detail": None,
        "code": "over_daily_limit",
    }


def test_the_team_endpoints_are_in_the_openapi_schema(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in (
        "/api/v1/challenges/{slug}/team/",
        "/api/v1/challenges/{slug}/team/join/",
        "/api/v1/challenges/{slug}/team/leave/",
        "/api/v1/challenges/{slug}/team/merge-requests/",
        "/api/v1/challenges/{slug}/team/merge-requests/{request_id}/accept/",
    ):
        assert path in schema["paths"], path
    assert "409" in schema["paths"]["/api/v1/challenges/{slug}/team/merge-requests/"]["post"]["responses"]
