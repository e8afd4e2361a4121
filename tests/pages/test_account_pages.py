"""Sign up, sign in, sign out, password change and the profile with ranks, submissions and the API token."""

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory
from tests.scored import scored

pytestmark = pytest.mark.django_db

PASSWORD = "a long pass phrase 123"


def test_signing_up_signs_you_in_and_returns_you_where_you_were(client, challenge):
    response = client.post(
        f"/accounts/signup/?next=/challenges/{challenge.slug}/submit/",
        {"username": "ada", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302 and response.url == f"/challenges/{challenge.slug}/submit/"
    assert client.get(f"/challenges/{challenge.slug}/submit/").status_code == 200


def test_sign_up_never_redirects_off_the_site(client):
    response = client.post(
        "/accounts/signup/?next=https://evil.example/",
        {"username": "ada", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.url == "/"


def test_a_bad_sign_up_is_a_400_that_says_what_to_fix(client):
    response = client.post(
        "/accounts/signup/", {"username": "ada", "password1": PASSWORD, "password2": "other"}
    )

    assert (
        response.status_code == 400 and "The two password fields didn’t match." in response.content.decode()
    )


def test_sign_in_sign_out_and_password_change_use_the_hubs_own_pages(client):
    UserFactory(username="ada")

    signed_in = client.post(
        "/accounts/login/", {"username": "ada", "password": "correct horse battery staple"}
    )
    changed = client.post(
        "/accounts/password/",
        {
            "old_password": "correct horse battery staple",
            "new_password1": PASSWORD,
            "new_password2": PASSWORD,
        },
    )
    done = client.get(changed.url)
    signed_out = client.post("/accounts/logout/")

    assert signed_in.status_code == 302 and changed.url == "/accounts/password/done/"
    assert "Your password is changed" in done.content.decode() and "Practice Hub" in done.content.decode()
    assert signed_out.status_code == 302
    assert client.login(username="ada", password=PASSWORD)


def test_password_reset_is_not_offered_because_it_needs_email(client):
    assert client.get("/accounts/password_reset/").status_code == 404


def test_the_profile_shows_best_ranks_submissions_and_the_token(client, user, make_challenge):
    first, second = make_challenge(slug="first"), make_challenge(slug="second")
    scored(first, UserFactory(), correct=18)
    scored(first, user, correct=10)
    scored(second, user, correct=18)
    client.force_login(user)
    client.post("/accounts/token/", {"action": "create"})

    html = client.get("/accounts/profile/").content.decode()

    assert '<strong>2</strong> <span class="muted">of 2</span>' in html  # second on "first"
    assert '<strong>1</strong> <span class="muted">of 1</span>' in html  # first on "second"
    assert Token.objects.get(user=user).key in html
    assert html.count('href="/submissions/') == 2  # the learner's two, not the other learner's


def test_the_token_can_be_replaced_and_revoked(client, user):
    client.force_login(user)
    client.post("/accounts/token/", {"action": "create"})
    old = Token.objects.get(user=user).key

    replaced = client.post("/accounts/token/", {"action": "create"})
    new = Token.objects.get(user=user).key
    client.post("/accounts/token/", {"action": "revoke"})

    assert replaced.url == "/accounts/profile/#api-token" and new != old
    assert not Token.objects.filter(user=user).exists()
