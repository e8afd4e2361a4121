"""Who may see what: a submission's file and details only to its owner and staff, private scores only after the
reveal, hidden solutions through no URL at all (path traversal included), CSRF on every form."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, get_resolver
from django.views.static import serve

from tests.bundles import expected_scores, predictions_csv
from tests.factories import UserFactory
from tests.routes import url_routes
from tests.scored import scored as scored_submission

pytestmark = pytest.mark.django_db

MARKER_DESCRIPTION = "only-the-owner-may-read-this-7f3a"


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def scored(challenge, user):
    content = predictions_csv(20, correct=13)
    return scored_submission(
        challenge, user, 13, content=content, name="mine.csv", description=MARKER_DESCRIPTION
    ), content


def _every_url_with(submission, challenge) -> list[str]:
    urls = []
    for route in url_routes():
        url = (
            route.replace("<slug:slug>", challenge.slug)
            .replace("<int:submission_id>", str(submission.pk))
            .replace("<str:name>", "mine.csv")
            .replace("<path:object_id>", str(submission.pk))
            .replace("<path:app_label>", "submissions")
        )
        if "<" not in url and "(?P" not in url:
            urls.append("/" + url.lstrip("^").rstrip("$"))
    return sorted(set(urls))


@pytest.mark.parametrize("who", ["anonymous", "another learner"])
def test_no_url_shows_a_submissions_file_or_details_to_anyone_but_its_owner(client, scored, who):
    submission, content = scored
    if who == "another learner":
        client.force_login(UserFactory())
    urls = _every_url_with(submission, submission.challenge)
    assert len(urls) > 20

    for url in urls:
        body = _body(client.get(url))
        assert content not in body, url
        assert MARKER_DESCRIPTION.encode() not in body, url
        assert submission.sha256.encode() not in body, url

    assert client.get(f"/submissions/{submission.pk}/").status_code in (302, 404)
    assert client.get(f"/api/v1/submissions/{submission.pk}/").status_code in (401, 403, 404)


def test_the_owner_and_staff_see_the_details(client, scored, admin_user):
    submission, _ = scored
    for who in (submission.user, admin_user):
        client.force_login(who)
        response = client.get(f"/submissions/{submission.pk}/")
        assert response.status_code == 200
        assert MARKER_DESCRIPTION.encode() in response.content


def test_the_private_score_is_hidden_everywhere_until_the_reveal(client, scored):
    submission, _ = scored
    challenge = submission.challenge
    private = expected_scores(20, correct=13)[1]
    shown = f"{private:.5f}".encode()
    client.force_login(submission.user)
    pages = [
        f"/submissions/{submission.pk}/",
        f"/challenges/{challenge.slug}/submissions/",
        f"/challenges/{challenge.slug}/leaderboard/?split=private",
        f"/api/v1/submissions/{submission.pk}/",
        f"/api/v1/challenges/{challenge.slug}/submissions/",
        f"/api/v1/challenges/{challenge.slug}/leaderboard/me/?split=private",
    ]
    for url in pages:
        assert shown not in _body(client.get(url)), url
    assert client.get(f"/api/v1/submissions/{submission.pk}/").json()["private_score"] is None

    challenge.private_revealed = True
    challenge.save()
    assert client.get(f"/api/v1/submissions/{submission.pk}/").json()["private_score"] == pytest.approx(
        private
    )
    assert shown in client.get(f"/submissions/{submission.pk}/").content


TRAVERSALS = [
    "../../solutions/{slug}/solution.csv",
    "..%2F..%2Fsolutions%2F{slug}%2Fsolution.csv",
    "%2e%2e%2f%2e%2e%2fsolutions%2f{slug}%2fsolution.csv",
    "..%252F..%252Fsolutions%252Fsolution.csv",
    "....//....//solutions//solution.csv",
    "..\\..\\solutions\\solution.csv",
    "{storage}/{solution}",
    "%2F{storage}%2F{solution}",
    "solution.csv%00.csv",
]


def test_path_traversal_never_reaches_a_hidden_solution(client, challenge, admin_user):
    solution = challenge.solution
    secret = solution.file.open("rb").read()
    names = [
        t.format(slug=challenge.slug, storage=settings.STORAGES["default"]["OPTIONS"]["location"].lstrip("/"),
                 solution=solution.file.name)
        for t in TRAVERSALS
    ]  # fmt: skip
    prefixes = [
        f"/challenges/{challenge.slug}/files/",
        "/static/",
        "/media/",
        "/storage/",
        "/api/v1/challenges/{challenge.slug}/files/",
        "/",
    ]
    for who in (None, admin_user):
        if who:
            client.force_login(who)
        for prefix in prefixes:
            for name in names:
                response = client.get(prefix + name)
                assert secret not in _body(response), prefix + name
                assert response.status_code in (301, 302, 400, 404), (prefix + name, response.status_code)


def test_hidden_solutions_live_where_no_url_maps(challenge):
    location = settings.STORAGES["default"]["OPTIONS"]["location"]
    assert settings.STORAGES["default"]["OPTIONS"]["base_url"] is None
    assert not settings.MEDIA_ROOT  # nothing is a "media root": no folder is served as such
    assert not challenge.solution.file.path.startswith(str(settings.STATIC_ROOT))
    assert challenge.solution.file.path.startswith(location)
    routes = " ".join(url_routes())
    assert "solution" not in routes and "storage" not in routes and "media" not in routes
    callbacks = [p.callback for p in get_resolver().url_patterns if isinstance(p, URLPattern)]
    assert serve not in callbacks  # django.views.static.serve would expose a folder


def test_every_post_form_carries_a_csrf_token_and_a_post_without_it_is_refused(challenge, user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    pages = ["/accounts/token/", f"/challenges/{challenge.slug}/submit/", "/"]
    anonymous = Client(enforce_csrf_checks=True)
    anonymous_pages = ["/accounts/login/", "/accounts/signup/", "/admin/login/"]
    forms = 0
    for page_client, urls in ((browser, pages), (anonymous, anonymous_pages)):
        for url in urls:
            html = page_client.get(url).content.decode()
            for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", html, flags=re.S | re.I):
                forms += 1
                assert 'name="csrfmiddlewaretoken"' in form, (url, form[:200])
            assert page_client.post(url, {}).status_code == 403, url
    assert forms >= 6
    assert browser.post("/accounts/logout/", {}).status_code == 403
