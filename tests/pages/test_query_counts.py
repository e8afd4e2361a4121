"""Every page makes a fixed number of database queries: the same on a board of 25 learners as on one of 66."""

import pytest

from submissions import views as submissions_views
from tests.factories import UserFactory
from tests.scored import scored

pytestmark = pytest.mark.django_db

# (page, address, signed in?, most queries allowed). A signed-in request spends 2 on its session and user, and a
# full page 1 more on the unread count of the notification bell in its header.
PAGES = [
    ("home", "/", False, 1),
    ("home signed in", "/", True, 4),
    ("challenge list", "/challenges/", False, 1),
    ("overview", "/challenges/{slug}/", False, 2),
    ("overview signed in", "/challenges/{slug}/", True, 6),
    ("data", "/challenges/{slug}/data/", False, 2),
    ("evaluation", "/challenges/{slug}/evaluation/", False, 3),
    ("starter kit", "/challenges/{slug}/starter-kit/", False, 1),
    ("starter kit download", "/challenges/{slug}/starter-kit/download/", False, 1),
    # With teams, one more for the members of the rows' teams, and one for those of my row's.
    ("leaderboard", "/challenges/{slug}/leaderboard/", False, 4),
    ("leaderboard signed in", "/challenges/{slug}/leaderboard/", True, 11),
    ("leaderboard page 3", "/challenges/{slug}/leaderboard/?page=3", True, 12),
    ("leaderboard live part", "/challenges/{slug}/leaderboard/board/?page=2", True, 11),
    ("my submissions", "/challenges/{slug}/submissions/", True, 6),
    ("my submissions live part", "/challenges/{slug}/submissions/table/", True, 5),
    ("submit form", "/challenges/{slug}/submit/", True, 5),
    # A scored submission's standing (issue 19) reads four things: the baseline's row, the learner's row and rank,
    # the board's size and the learner's earlier best. A pending one, which the live part polls, reads none of them.
    # Its page also reads the milestones it reached (and, after one, the next challenge: 4 more).
    ("submission", "/submissions/{submission}/", True, 11),  # + is the viewer in the submission's team
    ("submission live part", "/submissions/{submission}/status/", True, 8),
    ("submission live part under the form", "/submissions/{submission}/status/?embedded=1", True, 9),
    ("datasets", "/datasets/", False, 3),
    # The dataset, its versions, the version's files with their previews, its owner's quota and the challenges on it.
    ("dataset", "/datasets/{dataset}/", False, 6),
    ("gallery image", "/challenges/{slug}/files/images.zip/images/0", False, 2),  # the challenge, then its file
    ("profile", "/accounts/profile/", True, 10),  # + progress (tracks, milestones, baselines), is a host (2)
    ("sign in", "/accounts/login/", False, 0),
    ("sign up", "/accounts/signup/", False, 0),
    ("password change", "/accounts/password/", True, 3),
]


def _counts(client, learner, addresses: dict[str, str], assert_max_queries) -> dict[str, int]:
    counts = {}
    for name, address, signed_in, most in PAGES:
        client.logout()
        if signed_in:
            client.force_login(learner)
        with assert_max_queries(most, info=name) as queries:
            response = client.get(address.format(**addresses))
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(queries)
    return counts


def test_every_page_makes_the_same_few_queries_however_big_the_board(
    client, user, image_challenge, django_assert_max_num_queries, monkeypatch
):
    # Ten rows a page, so the later pages (which count baselines ahead of them) are exercised too.
    monkeypatch.setattr(submissions_views, "PAGE_SIZE", 10)
    challenge = image_challenge
    addresses = {"slug": challenge.slug, "dataset": f"{challenge.dataset.owner.username}/{challenge.dataset.slug}"}
    for index in range(24):
        scored(challenge, UserFactory(), correct=index % 20, minutes_ago=60 - index)
    addresses["submission"] = scored(challenge, user, correct=5, minutes_ago=40).pk
    small = _counts(client, user, addresses, django_assert_max_num_queries)

    for index in range(40):
        scored(challenge, UserFactory(), correct=index % 20, minutes_ago=30 - index % 30)
    scored(challenge, user, correct=7, minutes_ago=1)
    big = _counts(client, user, addresses, django_assert_max_num_queries)

    assert big == small
