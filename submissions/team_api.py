"""REST API of teams: my team, create, join, leave, remove a member, hand over leadership, rotate the invite code,
and merge requests. Refusals are TeamRefused, mapped to their status once in hub/api_errors.py."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.schema import ErrorSerializer, error_responses
from projects.selectors import challenge_get_visible

from .models import TEAM_NAME_MAX, Participant, TeamMergeRequest
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
from .team_selectors import merge_requests_of, team_find, team_of

REFUSALS = {
    **error_responses(400, 403, 404),
    409: OpenApiResponse(
        ErrorSerializer,
        description="Not possible with the teams as they are: `code` says why (team_full, over_daily_limit, "
        "over_total_limit, over_final_selections, merger_deadline, already_in_team, name_taken, ...), "
        "`error` gives the numbers.",
    ),
}


class TeamMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user.pk")
    username = serializers.CharField(source="user.username")
    joined_at = serializers.DateTimeField()


class TeamRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class MergeRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sender = TeamRefSerializer()
    receiver = TeamRefSerializer()
    created_at = serializers.DateTimeField()


class MergeRequestsSerializer(serializers.Serializer):
    sent = MergeRequestSerializer(many=True)
    received = MergeRequestSerializer(many=True)


class TeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name", help_text="The team's name; a learner's own username")
    solo = serializers.SerializerMethodField(help_text="A learner on their own, not (yet) a named team")
    leader = serializers.CharField(source="user.username")
    members = TeamMemberSerializer(many=True, source="members.all")
    invite_code = serializers.CharField()
    invite_url = serializers.SerializerMethodField()
    max_team_size = serializers.IntegerField(source="challenge.max_team_size")
    merge_requests = serializers.SerializerMethodField()

    def get_solo(self, team: Participant) -> bool:
        return not team.name and len(team.members.all()) <= 1

    def get_invite_url(self, team: Participant) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("challenge-team-join", args=[team.challenge.slug, team.invite_code])
        )

    @extend_schema_field(MergeRequestsSerializer)
    def get_merge_requests(self, team: Participant) -> dict:
        return MergeRequestsSerializer(merge_requests_of(participant=team)).data


class TeamCreateSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=TEAM_NAME_MAX, help_text="Unique in the challenge; shown on the boards"
    )


class TeamJoinSerializer(serializers.Serializer):
    invite_code = serializers.CharField(max_length=64, help_text="From the team's invite link")


class TeamMergeRequestCreateSerializer(serializers.Serializer):
    team = serializers.CharField(max_length=TEAM_NAME_MAX, help_text="The other team's id or name")


class TeamLeaderSerializer(serializers.Serializer):
    user = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The id of a member")


def _my_team(request: Request, challenge) -> Response:
    team = team_of(challenge=challenge, user=request.user)
    if team is None:
        raise NotFound(
            f"You are not in a team of {challenge.title} yet (you become a team of one at your first upload). "
            'POST {"name": ...} here to create one, or POST an invite code to .../team/join/.',
            code="no_team",
        )
    return Response(TeamSerializer(team, context={"request": request}).data)


def _valid(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class TeamApi(APIView):
    """Your team in a challenge (members see its invite code); POST `{name}` turns you into a named team that
    others can join: your own submissions stay with it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: TeamSerializer, **error_responses(404)})
    def get(self, request: Request, slug: str) -> Response:
        return _my_team(request, challenge_get_visible(slug=slug, viewer=request.user))

    @extend_schema(request=TeamCreateSerializer, responses={201: TeamSerializer, **REFUSALS})
    def post(self, request: Request, slug: str) -> Response:
        challenge = challenge_get_visible(slug=slug, viewer=request.user)
        team_create(
            challenge=challenge, user=request.user, name=_valid(TeamCreateSerializer, request)["name"]
        )
        response = _my_team(request, challenge)
        response.status_code = status.HTTP_201_CREATED
        return response


class TeamJoinApi(APIView):
    """Join a team by its invite code. Joining merges your own submissions into the team, so it must fit the
    team size and the submission limits (today and in total), before the team merger deadline."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=TeamJoinSerializer, responses={200: TeamSerializer, **REFUSALS})
    def post(self, request: Request, slug: str) -> Response:
        challenge = challenge_get_visible(slug=slug, viewer=request.user)
        team_join(
            challenge=challenge,
            user=request.user,
            invite_code=_valid(TeamJoinSerializer, request)["invite_code"],
        )
        return _my_team(request, challenge)


class TeamLeaveApi(APIView):
    """Leave your team: its submissions stay with it, and you are on your own again. A team left empty is gone."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None, **REFUSALS})
    def post(self, request: Request, slug: str) -> Response:
        team_leave(challenge=challenge_get_visible(slug=slug, viewer=request.user), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeamInviteRotateApi(APIView):
    """The leader gets a new invite code; the old link stops working."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: TeamSerializer, **REFUSALS})
    def post(self, request: Request, slug: str) -> Response:
        challenge = challenge_get_visible(slug=slug, viewer=request.user)
        team_invite_rotate(challenge=challenge, user=request.user)
        return _my_team(request, challenge)


class TeamLeaderApi(APIView):
    """The leader hands the leadership to another member, named by `user` (their id)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=TeamLeaderSerializer, responses={200: TeamSerializer, **REFUSALS})
    def post(self, request: Request, slug: str) -> Response:
        challenge = challenge_get_visible(slug=slug, viewer=request.user)
        new_leader = _valid(TeamLeaderSerializer, request)["user"]
        team_leader_set(challenge=challenge, user=request.user, new_leader_id=new_leader)
        return _my_team(request, challenge)


class TeamMemberRemoveApi(APIView):
    """The leader removes a member (by user id); the member is on their own again, the submissions stay."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: TeamSerializer, **REFUSALS})
    def post(self, request: Request, slug: str, user_id: int) -> Response:
        challenge = challenge_get_visible(slug=slug, viewer=request.user)
        team_member_remove(challenge=challenge, user=request.user, member_id=user_id)
        return _my_team(request, challenge)


class TeamMergeRequestsApi(APIView):
    """Your team's pending merge requests; POST `{team}` (the other team's id or name) asks its leader to merge
    your team into theirs. Only a leader may ask; the merged team must fit the size and the limits."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MergeRequestsSerializer, **error_responses(404)})
    def get(self, request: Request, slug: str) -> Response:
        challenge = challenge_get_visible(slug=slug, viewer=request.user)
        team = team_of(challenge=challenge, user=request.user)
        if team is None:
            return Response({"sent": [], "received": []})
        return Response(MergeRequestsSerializer(merge_requests_of(participant=team)).data)

    @extend_schema(
        request=TeamMergeRequestCreateSerializer, responses={201: MergeRequestSerializer, **REFUSALS}
    )
    def post(self, request: Request, slug: str) -> Response:
        challenge = challenge_get_visible(slug=slug, viewer=request.user)
        name = _valid(TeamMergeRequestCreateSerializer, request)["team"]
        other = team_find(challenge=challenge, team=name)
        if other is None:
            raise NotFound(f"There is no team '{name}' in {challenge.title}. Give its id or its name.")
        merge_request = team_merge_request(challenge=challenge, user=request.user, team=other)
        merge_request = TeamMergeRequest.objects.select_related("sender__user", "receiver__user").get(
            pk=merge_request.pk
        )
        return Response(MergeRequestSerializer(merge_request).data, status=status.HTTP_201_CREATED)


class TeamMergeAcceptApi(APIView):
    """The leader of the team asked accepts: the other team's members and submissions join yours."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: TeamSerializer, **REFUSALS})
    def post(self, request: Request, slug: str, request_id: int) -> Response:
        challenge = challenge_get_visible(slug=slug, viewer=request.user)
        team_merge_accept(challenge=challenge, user=request.user, request_id=request_id)
        return _my_team(request, challenge)


class TeamMergeDeclineApi(APIView):
    """The leader of the team asked declines, or the leader of the team that asked withdraws."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None, **REFUSALS})
    def post(self, request: Request, slug: str, request_id: int) -> Response:
        team_merge_decline(
            challenge=challenge_get_visible(slug=slug, viewer=request.user), user=request.user, request_id=request_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
