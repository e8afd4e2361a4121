"""Pages of teams: a challenge's Team tab (create, invite link, members, merge requests, leave), the page an
invite link opens, and a team's public page. Plain forms: every button works without JavaScript.

Refusals (TeamRefused) show on the Team tab with their sentence and the status the API would answer, mapped
here once (`_refused`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hub.forms import refused_page
from projects.models import Challenge
from projects.selectors import challenge_get_visible
from projects.views import challenge_context

from .errors import TeamRefused
from .services.teams import (
    team_create,
    team_invite_rotate,
    team_join,
    team_leader_set,
    team_leave,
    team_member_remove,
    team_merge_accept,
    team_merge_decline,
    team_merge_request,
)
from .team_selectors import (
    merge_requests_of,
    team_best_scores,
    team_by_invite,
    team_find,
    team_get,
    team_is_solo,
    team_of,
)


def _int(value: str | None) -> int:
    try:
        number = int(value or "")
    except ValueError:
        raise TeamRefused("Choose a member from the list.", reason="name_invalid") from None
    if not 0 < number < 2**31:
        raise TeamRefused("Choose a member from the list.", reason="name_invalid")
    return number


def _team_context(request: HttpRequest, challenge: Challenge) -> dict:
    team = team_of(challenge=challenge, user=request.user) if request.user.is_authenticated else None
    solo = team is None or team_is_solo(team)
    return challenge_context(challenge, "team") | {
        "team": team,
        "solo": solo,
        "is_leader": team is not None and team.user_id == request.user.pk,
        "members": list(team.members.all()) if team is not None else [],
        "merge_requests": merge_requests_of(participant=team) if team is not None else None,
        "invite_url": request.build_absolute_uri(
            reverse("challenge-team-join", args=[challenge.slug, team.invite_code])
        )
        if team is not None and not solo
        else None,
    }


def _refused(request: HttpRequest, challenge: Challenge, error: TeamRefused) -> HttpResponse:
    context = _team_context(request, challenge) | {"refusal": error.message}
    return refused_page(request, error, template="submissions/team.html", context=context)


@require_GET
def team_tab(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = challenge_get_visible(slug=slug, viewer=request.user)
    return render(request, "submissions/team.html", _team_context(request, challenge))


def _act(request: HttpRequest, challenge: Challenge, action: str) -> str:
    """Run one form's action; returns the sentence to show after it."""
    user, post = request.user, request.POST
    if action == "create":
        team = team_create(challenge=challenge, user=user, name=post.get("name", ""))
        return f"You created the team {team.name}. Share its invite link with your teammates."
    if action == "join":
        team = team_join(challenge=challenge, user=user, invite_code=post.get("invite_code", ""))
        return f"You joined {team.display_name}."
    if action == "leave":
        team = team_leave(challenge=challenge, user=user)
        return (
            "You left the team."
            if team is None or team.name
            else "You left; your submissions are yours again."
        )
    if action == "rotate":
        team_invite_rotate(challenge=challenge, user=user)
        return "The team has a new invite link; the old one no longer works."
    if action == "remove":
        team_member_remove(challenge=challenge, user=user, member_id=_int(post.get("member")))
        return "The member was removed from the team."
    if action == "leader":
        team_leader_set(challenge=challenge, user=user, new_leader_id=_int(post.get("member")))
        return "You handed over the leadership."
    if action == "merge":
        other = team_find(challenge=challenge, team=post.get("team", ""))
        if other is None:
            raise TeamRefused(
                f"There is no team '{post.get('team', '')}' in {challenge.title}.", reason="not_found"
            )
        team_merge_request(challenge=challenge, user=user, team=other)
        return f"You asked {other.display_name} to merge; its leader will see your request."
    if action == "accept":
        team = team_merge_accept(challenge=challenge, user=user, request_id=_int(post.get("request")))
        return f"The teams merged into {team.display_name}."
    if action == "decline":
        team_merge_decline(challenge=challenge, user=user, request_id=_int(post.get("request")))
        return "The merge request is gone."
    raise TeamRefused("Use one of the buttons of the Team tab.", reason="name_invalid")


@login_required
@require_POST
def team_action(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = challenge_get_visible(slug=slug, viewer=request.user)
    try:
        done = _act(request, challenge, request.POST.get("action", ""))
    except TeamRefused as error:
        return _refused(request, challenge, error)
    messages.success(request, done)
    return redirect("challenge-team", slug=challenge.slug)


@login_required
@require_http_methods(["GET", "POST"])
def team_join_page(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """Where an invite link leads: the team's name and one button to join it (a GET never joins)."""
    challenge = challenge_get_visible(slug=slug, viewer=request.user)
    context = _team_context(request, challenge)
    invited = team_by_invite(challenge=challenge, invite_code=code)
    if request.method == "POST":
        try:
            team = team_join(challenge=challenge, user=request.user, invite_code=code)
        except TeamRefused as error:
            return _refused(request, challenge, error)
        messages.success(request, f"You joined {team.display_name}.")
        return redirect("challenge-team", slug=challenge.slug)
    status = 200 if invited is not None else 404
    return render(
        request, "submissions/team_join.html", context | {"invited": invited, "code": code}, status=status
    )


@require_GET
def team_page(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    """A team's public page: its members and its best scores (only what the leaderboards show)."""
    challenge = challenge_get_visible(slug=slug, viewer=request.user)
    team = team_get(challenge=challenge, team_id=team_id)
    context = challenge_context(challenge, "leaderboard") | {
        "team_shown": team,
        "team_members": list(team.members.all()),
        "best": team_best_scores(team=team),
    }
    return render(request, "submissions/team_page.html", context)
