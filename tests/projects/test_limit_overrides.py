"""Per-learner limits and deadlines, set by a challenge's hosts and read by the one submission rule: "Ada may
submit 20 a day", "Bob may still submit after the end"."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from projects.hosting import host_grant
from submissions.errors import TeamRefused
from submissions.selectors import submission_limits
from submissions.services.submit import submission_create
from submissions.services.teams import team_create, team_join
from tests.bundles import predictions_csv
from tests.conftest import upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(make_challenge):
    host = UserFactory()
    host_grant(user=host)
    challenge = make_challenge(slug="course", daily_limit=2)
    challenge.hosts.add(host)
    return challenge, host


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def submit(user, challenge) -> int:
    return (
        api(user)
        .post(
            f"/api/v1/challenges/{challenge.slug}/submissions/",
            {"file": upload(predictions_csv(20, correct=5))},
            format="multipart",
        )
        .status_code
    )


def test_a_host_raises_one_learners_daily_limit_and_only_theirs(course):
    challenge, host = course
    ada, bob = UserFactory(username="ada"), UserFactory(username="bob")
    response = api(host).put(
        "/api/v1/challenges/course/limits/overrides/",
        {"overrides": [{"username": "ada", "daily_limit": 4, "note": "Catching up after illness"}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["overrides"][0] | {"end_at": None} == {
        "username": "ada",
        "team": None,
        "daily_limit": 4,
        "total_limit": None,
        "end_at": None,
        "note": "Catching up after illness",
    }
    assert [submit(ada, challenge) for _ in range(5)] == [201, 201, 201, 201, 429]
    assert [submit(bob, challenge) for _ in range(3)] == [201, 201, 429]
    assert api(ada).get("/api/v1/challenges/course/limits/").json()["daily_limit"] == 4
    assert submission_limits(challenge=challenge, user=bob).daily_limit == 2


def test_a_total_limit_override_applies_to_the_learner(course):
    challenge, host = course
    ada = UserFactory(username="ada")
    api(host).put(
        "/api/v1/challenges/course/limits/overrides/",
        {"overrides": [{"username": "ada", "total_limit": 1}]},
        format="json",
    )
    assert [submit(ada, challenge) for _ in range(2)] == [201, 429]


def test_a_deadline_extension_lets_one_learner_submit_after_the_end(course):
    challenge, host = course
    challenge.start_at = timezone.now() - dt.timedelta(days=10)
    challenge.end_at = timezone.now() - dt.timedelta(hours=1)
    challenge.save(update_fields=["start_at", "end_at"])
    late, other = UserFactory(username="late"), UserFactory(username="other")
    extended = (timezone.now() + dt.timedelta(days=2)).isoformat()
    response = api(host).put(
        "/api/v1/challenges/course/limits/overrides/",
        {"overrides": [{"username": "late", "end_at": extended, "note": "Doctor's note"}]},
        format="json",
    )
    assert response.status_code == 200
    assert submit(late, challenge) == 201
    assert submit(other, challenge) == 403
    with pytest.raises(Exception, match="ended"):
        submission_create(user=other, challenge=challenge, file=upload(predictions_csv(20, correct=5)))


def test_put_replaces_the_list_and_bad_entries_are_400s_naming_the_fix(course):
    challenge, host = course
    UserFactory(username="ada")
    url = "/api/v1/challenges/course/limits/overrides/"
    api(host).put(url, {"overrides": [{"username": "ada", "daily_limit": 9}]}, format="json")
    assert api(host).put(url, {"overrides": []}, format="json").json() == {"overrides": []}
    for body, says in (
        ({"overrides": [{"username": "ghost", "daily_limit": 3}]}, "There is no user 'ghost'"),
        ({"overrides": [{"username": "ada", "daily_limit": 0}]}, "daily_limit"),
        ({"overrides": [{"username": "ada"}, {"username": "ada"}]}, "ada is listed twice"),
        (
            {"overrides": [{"username": "ada", "end_at": "2000-01-01T00:00:00Z"}]},
            "after the challenge's start",
        ),
        ({"overrides": "ada"}, "Expected a list of items"),
    ):
        response = api(host).put(url, body, format="json")
        assert response.status_code == 400, body
        assert says in response.json()["error"], response.json()
    assert challenge.limit_overrides.count() == 0


def test_only_the_challenges_hosts_see_or_set_overrides(course):
    challenge, host = course
    learner, other_host = UserFactory(), UserFactory()
    host_grant(user=other_host)
    url = "/api/v1/challenges/course/limits/overrides/"
    body = {"overrides": [{"username": learner.username, "daily_limit": 100}]}
    for user in (learner, other_host):
        assert api(user).get(url).status_code == 403
        assert api(user).put(url, body, format="json").status_code == 403
    assert challenge.limit_overrides.count() == 0
    assert api(host).get(url).json() == {"overrides": []}


def test_the_roster_and_gradebook_note_an_extended_deadline_and_the_late_submissions(course):
    challenge, host = course
    challenge.start_at = timezone.now() - dt.timedelta(days=10)
    challenge.end_at = timezone.now() - dt.timedelta(hours=1)
    challenge.save(update_fields=["start_at", "end_at"])
    late = UserFactory(username="late")
    extended = timezone.now() + dt.timedelta(days=2)
    api(host).put(
        "/api/v1/challenges/course/limits/overrides/",
        {"overrides": [{"username": "late", "end_at": extended.isoformat(), "note": "Doctor's note"}]},
        format="json",
    )
    assert submit(late, challenge) == 201
    row = api(host).get("/api/v1/challenges/course/gradebook/").json()["results"][0]
    assert (row["username"], row["late_submissions"], row["note"]) == ("late", 1, "Doctor's note")
    assert row["deadline"].startswith(extended.strftime("%Y-%m-%dT%H:%M"))


def test_the_manage_page_sets_and_clears_one_learners_limits(course):
    from django.test import Client

    challenge, host = course
    UserFactory(username="ada")
    client = Client()
    client.force_login(host)
    form = {
        "action": "override",
        "override-username": "ada",
        "override-daily_limit": "20",
        "override-note": "TA",
    }
    page = client.post("/host/challenges/course/", form, follow=True).content.decode()
    assert "Saved the limits of ada." in page and "20 a day" in page
    assert challenge.limit_overrides.get().daily_limit == 20
    client.post("/host/challenges/course/", {"action": "override", "override-username": "ada"})
    assert not challenge.limit_overrides.exists()
    page = client.post(
        "/host/challenges/course/", {"action": "override", "override-username": "ghost"}, follow=True
    ).content.decode()
    assert "There is no user" in page


@pytest.fixture
def team_course(course):
    """The course with teams: ada and grace in "Engines", bob on his own."""
    challenge, host = course
    challenge.max_team_size = 3
    challenge.save(update_fields=["max_team_size"])
    ada, grace, bob = (UserFactory(username=name) for name in ("ada", "grace", "bob"))
    team = team_create(challenge=challenge, user=ada, name="Engines")
    team_join(challenge=challenge, user=grace, invite_code=team.invite_code)
    return challenge, host, ada, grace, bob


def test_a_team_override_raises_the_limit_of_the_whole_team_and_no_one_else(team_course):
    challenge, host, ada, grace, bob = team_course
    url = "/api/v1/challenges/course/limits/overrides/"
    response = api(host).put(
        url, {"overrides": [{"team": "engines", "daily_limit": 3, "note": "Pair project"}]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["overrides"] == [
        {
            "username": None,
            "team": "Engines",
            "daily_limit": 3,
            "total_limit": None,
            "end_at": None,
            "note": "Pair project",
        }
    ]
    # The team's 3 a day are shared by its members, as every team limit is; bob keeps the challenge's 2.
    assert [submit(ada, challenge), submit(grace, challenge), submit(ada, challenge)] == [201, 201, 201]
    assert submit(grace, challenge) == 429
    assert [submit(bob, challenge) for _ in range(3)] == [201, 201, 429]
    assert api(grace).get("/api/v1/challenges/course/limits/").json()["daily_limit"] == 3
    rows = {
        row["username"]: row
        for row in api(host).get("/api/v1/challenges/course/gradebook/").json()["results"]
    }
    assert rows["grace"]["note"] == "Pair project" and rows["bob"]["note"] == ""


def test_a_learners_own_override_wins_over_their_teams_field_by_field(team_course):
    challenge, host, ada, grace, _ = team_course
    extended = timezone.now() + dt.timedelta(days=30)
    api(host).put(
        "/api/v1/challenges/course/limits/overrides/",
        {
            "overrides": [
                {"team": "Engines", "daily_limit": 5, "total_limit": 50},
                {"username": "ada", "daily_limit": 7, "end_at": extended.isoformat()},
            ]
        },
        format="json",
    )
    ada_limits = submission_limits(challenge=challenge, user=ada)
    grace_limits = submission_limits(challenge=challenge, user=grace)
    assert (ada_limits.daily_limit, ada_limits.total_limit) == (7, 50)
    assert (grace_limits.daily_limit, grace_limits.total_limit) == (5, 50)


def test_a_team_deadline_extension_lets_its_members_submit_after_the_end(team_course):
    challenge, host, ada, grace, bob = team_course
    challenge.start_at = timezone.now() - dt.timedelta(days=10)
    challenge.end_at = timezone.now() - dt.timedelta(hours=1)
    challenge.save(update_fields=["start_at", "end_at"])
    extended = (timezone.now() + dt.timedelta(days=2)).isoformat()
    api(host).put(
        "/api/v1/challenges/course/limits/overrides/",
        {"overrides": [{"team": "Engines", "end_at": extended}]},
        format="json",
    )
    assert submit(grace, challenge) == 201
    assert submit(bob, challenge) == 403


def test_a_merge_fits_the_limits_a_host_gave_the_team_it_joins(team_course):
    challenge, host, ada, grace, bob = team_course
    for user in (ada, ada, bob, bob):
        submission_create(user=user, challenge=challenge, file=upload(predictions_csv(20, correct=5)))
    team = challenge.participants.get(name="Engines")
    with pytest.raises(TeamRefused, match="the daily limit is 2"):
        team_join(challenge=challenge, user=bob, invite_code=team.invite_code)
    api(host).put(
        "/api/v1/challenges/course/limits/overrides/",
        {"overrides": [{"team": "Engines", "daily_limit": 4}]},
        format="json",
    )
    team_join(challenge=challenge, user=bob, invite_code=team.invite_code)
    assert submission_limits(challenge=challenge, user=bob).used_today == 4


def test_team_entries_are_checked_like_learner_entries(team_course):
    challenge, host, *_ = team_course
    url = "/api/v1/challenges/course/limits/overrides/"
    for body, says in (
        ({"overrides": [{"team": "Nobody", "daily_limit": 3}]}, "has no team 'Nobody'"),
        ({"overrides": [{"team": "Engines", "username": "ada", "daily_limit": 3}]}, "not both"),
        ({"overrides": [{"daily_limit": 3}]}, "not both"),
        ({"overrides": [{"team": "Engines"}, {"team": "engines"}]}, "team Engines is listed twice"),
    ):
        response = api(host).put(url, body, format="json")
        assert response.status_code == 400, body
        assert says in response.json()["error"], response.json()
    assert challenge.limit_overrides.count() == 0


def test_the_manage_page_sets_a_teams_limits(team_course):
    from django.test import Client

    challenge, host, *_ = team_course
    client = Client()
    client.force_login(host)
    form = {"action": "override", "override-team": "Engines", "override-daily_limit": "20"}
    page = client.post("/host/challenges/course/", form, follow=True).content.decode()
    assert "Saved the limits of team Engines." in page and "Team Engines" in page and "20 a day" in page
    assert challenge.limit_overrides.get().participant.name == "Engines"
    both = form | {"override-username": "ada"}
    page = client.post("/host/challenges/course/", both, follow=True).content.decode()
    assert "not both" in page
