"""The admin lists the teams of every challenge with their members, and a host sets the team size and deadline."""

import pytest

from submissions.services.teams import team_create, team_join

pytestmark = pytest.mark.django_db


def test_teams_are_listed_per_challenge_and_their_members_shown(admin_client, challenge, user, other_user):
    team = team_create(challenge=challenge, user=user, name="Owls")
    team_join(challenge=challenge, user=other_user, invite_code=team.invite_code)
    listing = admin_client.get(f"/admin/submissions/participant/?challenge__id__exact={challenge.pk}")
    assert listing.status_code == 200 and "Owls" in listing.content.decode()
    page = admin_client.get(f"/admin/submissions/participant/{team.pk}/change/").content.decode()
    assert user.username in page and other_user.username in page
    members = list(team.members.order_by("pk"))
    form = {"name": "Barn Owls", "members-TOTAL_FORMS": len(members), "members-INITIAL_FORMS": len(members)}
    for n, member in enumerate(members):
        form |= {f"members-{n}-id": member.pk, f"members-{n}-participant": team.pk}
    renamed = admin_client.post(f"/admin/submissions/participant/{team.pk}/change/", form)
    assert renamed.status_code == 302, renamed.context["errors"] if renamed.context else renamed
    team.refresh_from_db()
    assert team.name == "Barn Owls"


def test_a_host_sets_the_team_size_and_the_merger_deadline(admin_client, challenge):
    page = admin_client.get(f"/admin/projects/challenge/{challenge.pk}/change/").content.decode()
    assert 'name="max_team_size"' in page and 'name="team_merger_deadline_0"' in page
