"""REST API of the signed-in learner's notifications."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community.api import paginated
from community.models import Notification
from community.selectors import notifications_of, unread_count
from community.services.notifications import notifications_mark_read
from hub.pagination import PageNumberPagination
from hub.parsers import JSONParser
from hub.schema import error_responses


class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "unread", "text", "url", "created_at"]

    def get_unread(self, notification: Notification) -> bool:
        return notification.read_at is None

    def get_url(self, notification: Notification) -> str:
        return self.context["request"].build_absolute_uri(notification.url)


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        # The bound of a 64-bit id: a larger number is a 400, not a database overflow.
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=1000,
        help_text="The notifications to mark read; leave out to mark all of them read.",
    )


class NotificationListApi(APIView):
    """Your notifications, newest first: `kind` (scored, failed, reply, announcement, private_revealed), `unread`,
    `text`, `url`."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: paginated("NotificationPage", NotificationSerializer), **error_responses(400)}
    )
    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(notifications_of(user=request.user), request, self)
        data = NotificationSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class NotificationReadApi(APIView):
    """Mark notifications read: `{"ids": [...]}`, or `{}` for all."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        request=MarkReadSerializer,
        responses={
            200: inline_serializer(
                "MarkedRead", {"marked": serializers.IntegerField(), "unread": serializers.IntegerField()}
            ),
            **error_responses(400),
        },
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"detail": "Send a JSON object."})
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = notifications_mark_read(user=request.user, ids=serializer.validated_data.get("ids"))
        return Response({"marked": marked, "unread": unread_count(user=request.user)})
