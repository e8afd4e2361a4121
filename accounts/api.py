"""REST API of the signed-in account: API tokens and who am I."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated, NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import token_of
from accounts.services.tokens import token_get_or_create, token_replace, token_revoke
from hub.parsers import JSONParser
from hub.query_fields import QueryCharField
from hub.schema import error_responses
from hub.throttling import ScopedRateThrottle


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(source="key")
    username = serializers.CharField(source="user.username")
    created = serializers.DateTimeField()


class TokenRequestSerializer(serializers.Serializer):
    username = QueryCharField(required=False, help_text="With password: sign in and get your token")
    password = QueryCharField(required=False, style={"input_type": "password"}, write_only=True)


class TokenApi(APIView):
    """Your API token: GET shows it, POST gets it (or replaces it), DELETE revokes it.

    POST with `username` and `password` answers with your token, creating it if you have none (what `hub login`
    does). POST without them, when already authenticated, replaces your token with a new one.
    """

    permission_classes = [AllowAny]
    throttle_classes = [*APIView.throttle_classes, ScopedRateThrottle]
    throttle_scope = "auth"
    # JSON (`hub login`), a form (`curl -d`) or multipart (`curl -F`, as before): the same two fields in each.
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        summary="Show your token",
        description="404 if you have none yet.",
        responses={200: TokenSerializer, **error_responses(404)},
    )
    def get(self, request: Request) -> Response:
        _require_authenticated(request)
        token = token_of(user=request.user)
        if token is None:
            raise NotFound(
                "You have no API token. Create one with POST /api/v1/auth/token/ or at /accounts/token/."
            )
        return Response(TokenSerializer(token).data)

    @extend_schema(
        summary="Get your token with your password, or replace it",
        description="With `username` and `password`: your token, created on first use (201) or the one you have "
        "(200); this is what `hub login` does. Without them, when authenticated: a new token replaces yours (201).",
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 201: TokenSerializer, **error_responses(400, 403)},
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data.get("username")
        password = serializer.validated_data.get("password")
        if username or password:
            if not (username and password):
                raise ValidationError(
                    {"password" if username else "username": "Send both username and password."}
                )
            user = authenticate(request._request, username=username, password=password)
            if user is None or not user.is_active:
                raise ValidationError(
                    {
                        "non_field_errors": "The username or password is wrong. Check both; they are case-sensitive."
                    }
                )
            token, created = token_get_or_create(user=user)
        elif request.user.is_authenticated:
            token, created = token_replace(user=request.user), True
        else:
            raise ValidationError(
                {"username": "Send your username and password to get your token, or sign in to replace it."}
            )
        return Response(
            TokenSerializer(token).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(
        summary="Revoke your token",
        description="The key stops working at once.",
        request=None,
        responses={204: None},
    )
    def delete(self, request: Request) -> Response:
        _require_authenticated(request)
        token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _require_authenticated(request: Request) -> None:
    if not request.user.is_authenticated:
        raise NotAuthenticated()


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "Me", {"username": serializers.CharField(), "is_staff": serializers.BooleanField()}
        )
    )
    def get(self, request: Request) -> Response:
        return Response({"username": request.user.get_username(), "is_staff": request.user.is_staff})
