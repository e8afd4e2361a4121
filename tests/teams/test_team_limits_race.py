"""A team's limits hold under real concurrency: two members upload 25 files each at once, over HTTP, against a
real threaded web server, and the team's daily limit of 5 accepts exactly 5, whoever sent them.

On PostgreSQL this is the test of the team's lock (participant_lock locks the team's row, whoever uploads); on
SQLite the hub's IMMEDIATE transactions already run writers one at a time.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from rest_framework.authtoken.models import Token

from submissions.models import Submission
from submissions.services.teams import team_create, team_join
from tests.bundles import predictions_csv
from tests.factories import UserFactory
from tests.leaderboards.test_limits_race import web_server  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.slow]

EACH = 25


def test_two_members_uploading_25_files_each_at_once_get_exactly_the_teams_5(web_server, make_challenge):  # noqa: F811
    challenge = make_challenge(daily_limit=5)
    ada, ben = UserFactory(username="ada"), UserFactory(username="ben")
    team = team_create(challenge=challenge, user=ada, name="Owls")
    team_join(challenge=challenge, user=ben, invite_code=team.invite_code)
    tokens = [Token.objects.create(user=member).key for member in (ada, ben)]
    content = predictions_csv(20, correct=10)
    start = threading.Barrier(2 * EACH)

    def upload(n: int) -> httpx.Response:
        with httpx.Client(base_url=web_server, timeout=120) as client:
            start.wait()
            return client.post(
                f"/api/v1/challenges/{challenge.slug}/submissions/",
                headers={"Authorization": f"Token {tokens[n % 2]}"},
                files={"file": (f"try-{n}.csv", content, "text/csv")},
            )

    with ThreadPoolExecutor(2 * EACH) as pool:
        responses = list(pool.map(upload, range(2 * EACH)))

    assert Counter(response.status_code for response in responses) == {201: 5, 429: 45}
    refusals = {response.json()["code"] for response in responses if response.status_code == 429}
    assert refusals == {"daily_limit"}
    assert Submission.objects.filter(challenge=challenge, participant=team).count() == 5
    assert Submission.objects.filter(challenge=challenge).count() == 5
