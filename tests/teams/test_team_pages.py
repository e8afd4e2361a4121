"""The Team tab, the invite link's page and a team's page, through Django's test client (no JavaScript)."""

import pytest
from django.test import Client

from submissions.models import Participant
from submissions.services.teams import team_create, team_join

pytestmark = pytest.mark.django_db


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def tab(challenge) -> str:
    return f"/challenges/{challenge.slug}/team/"


def act(challenge) -> str:
    return f"/challenges/{challenge.slug}/team/action/"


def test_the_team_tab_offers_create_and_join_to_a_solo_learner(challenge, user):
    page = browser(user).get(tab(challenge))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="team-create"' in html and 'id="team-join"' in html
    assert f'href="/challenges/{challenge.slug}/team/" aria-current="page">Team</a>' in html


def test_creating_a_team_shows_its_invite_link_with_a_copy_button_and_its_members(challenge, user):
    client = browser(user)
    response = client.post(act(challenge), {"action": "create", "name": "Owls"})
    assert response.status_code == 302 and response["Location"] == tab(challenge)
    html = client.get(tab(challenge)).content.decode()
    team = Participant.objects.get(name="Owls")
    assert f"/challenges/{challenge.slug}/team/join/{team.invite_code}/" in html
    assert 'data-copy="invite-link"' in html and "You created the team Owls" in html
    assert user.username in html and "leader" in html and 'id="team-leave"' in html


def test_the_invite_link_opens_a_page_whose_button_joins(challenge, user, other_user):
    team = team_create(challenge=challenge, user=user, name="Owls")
    link = f"/challenges/{challenge.slug}/team/join/{team.invite_code}/"
    client = browser(other_user)
    page = client.get(link)
    assert page.status_code == 200 and "Join Owls" in page.content.decode()
    assert not team.members.filter(user=other_user).exists()  # a GET never joins
    response = client.post(link)
    assert response.status_code == 302
    assert team.members.filter(user=other_user).exists()
    assert "You joined Owls" in client.get(tab(challenge)).content.decode()


def test_a_dead_invite_link_says_so(challenge, other_user):
    page = browser(other_user).get(f"/challenges/{challenge.slug}/team/join/no-such-code/")
    assert page.status_code == 404 and "does not work" in page.content.decode()


def test_an_invite_link_asks_a_visitor_to_sign_in(challenge, user):
    team = team_create(challenge=challenge, user=user, name="Owls")
    response = browser().get(f"/challenges/{challenge.slug}/team/join/{team.invite_code}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_refusal_shows_its_sentence_with_the_apis_status(challenge, user, other_user):
    team_create(challenge=challenge, user=user, name="Owls")
    response = browser(other_user).post(act(challenge), {"action": "create", "name": "owls"})
    assert response.status_code == 409
    assert "is already called" in response.content.decode()
    response = browser(other_user).post(act(challenge), {"action": "remove", "member": "x"})
    assert response.status_code == 400
    response = browser(other_user).post(act(challenge), {"action": "explode"})
    assert response.status_code == 400


def test_leaving_and_merging_from_the_tab(challenge, user, other_user):
    owls = team_create(challenge=challenge, user=user, name="Owls")
    team_create(challenge=challenge, user=other_user, name="Hawks")
    assert browser(other_user).post(act(challenge), {"action": "merge", "team": "Owls"}).status_code == 302
    html = browser(user).get(tab(challenge)).content.decode()
    assert "Hawks asks to merge into your team" in html
    request_id = owls.merge_requests_received.get().pk
    assert browser(user).post(act(challenge), {"action": "accept", "request": request_id}).status_code == 302
    assert sorted(owls.members.values_list("user__username", flat=True)) == sorted(
        [user.username, other_user.username]
    )
    assert browser(other_user).post(act(challenge), {"action": "leave"}).status_code == 302
    assert not owls.members.filter(user=other_user).exists()


def test_the_team_page_lists_its_members(challenge, user, other_user):
    team = team_create(challenge=challenge, user=user, name="Owls")
    team_join(challenge=challenge, user=other_user, invite_code=team.invite_code)
    html = browser().get(f"/challenges/{challenge.slug}/teams/{team.pk}/").content.decode()
    assert "Owls" in html and user.username in html and other_user.username in html
    assert team.invite_code not in html  # the invite code is for members only
    assert browser().get(f"/challenges/{challenge.slug}/teams/999999/").status_code == 404


def test_no_team_tab_when_teams_are_off(challenge, user):
    challenge.max_team_size = 1
    challenge.save()
    html = browser(user).get(f"/challenges/{challenge.slug}/").content.decode()
    assert f"/challenges/{challenge.slug}/team/" not in html
    assert "has no teams" in browser(user).get(tab(challenge)).content.decode()


def test_a_visitor_sees_the_tab_and_a_sign_in_link(challenge):
    page = browser().get(tab(challenge))
    assert page.status_code == 200 and "Sign in" in page.content.decode()
    assert browser().post(act(challenge), {"action": "create", "name": "x"}).status_code == 302


def test_a_teammate_sees_the_teams_submissions_and_may_select_one_as_final(challenge, user, other_user):
    from submissions.services.scoring import submission_score
    from tests.teams.conftest import submit

    team = team_create(challenge=challenge, user=user, name="Owls")
    team_join(challenge=challenge, user=other_user, invite_code=team.invite_code)
    submission = submit(challenge, user)
    submission_score(submission_id=submission.pk, delivery_id="page-test")
    client = browser(other_user)
    assert (
        f"/submissions/{submission.pk}/"
        in client.get(f"/challenges/{challenge.slug}/submissions/").content.decode()
    )
    page = client.get(f"/submissions/{submission.pk}/").content.decode()
    assert "Select as final" in page and f"by {user.username}" in page
    assert client.post(f"/submissions/{submission.pk}/final/", {"final": "1"}).status_code == 302
    submission.refresh_from_db()
    assert submission.is_final
