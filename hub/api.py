"""REST API of the signed-in account: API tokens and who am I."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .celery import app as celery_app
from .security import lockout_response

TokenResponse = inline_serializer("TokenResponse", {"token": serializers.CharField()})


class TokenApi(ObtainAuthToken):
    """POST username and password for your API token (created on first use). DELETE revokes it."""

    @extend_schema(
        request=inline_serializer(
            "TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses=TokenResponse,
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # django-axes marks the DRF request it was given; its middleware only sees Django's request.
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request._request)
            raise

    @extend_schema(responses={204: None})
    def delete(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            return Response(
                {"error": "Sign in (or send your token) to revoke it.", "detail": None},
                status=status.HTTP_401_UNAUTHORIZED,
            )
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_authenticators(self):
        # ObtainAuthToken authenticates nobody; DELETE needs to know who is asking.
        return [auth() for auth in APIView.authentication_classes]


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "Me", {"username": serializers.CharField(), "is_staff": serializers.BooleanField()}
        )
    )
    def get(self, request: Request) -> Response:
        return Response({"username": request.user.get_username(), "is_staff": request.user.is_staff})


def healthz(request: HttpRequest) -> JsonResponse:
    """Whether the database and the broker answer; 200 either way, so the body says which is down."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    return JsonResponse({"status": "ok" if all(checks.values()) else "degraded", **checks})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False
