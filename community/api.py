"""REST API of the discussion. Refusals are community.errors, mapped to status codes by hub/api_errors.py."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community.models import BODY_MAX, TITLE_MAX, Post, Topic
from community.selectors import opening_post, post_get_visible, posts_of, topic_get_visible, topics_of
from community.services.moderation import topic_moderate
from community.services.posts import post_delete, post_edit, post_reply
from community.services.topics import announcement_create, topic_create
from hub.pagination import PageNumberPagination
from hub.parsers import JSONParser
from hub.schema import error_responses
from hub.templatetags.hub_tags import markdown
from projects.selectors import challenge_get_visible


def render_body(text: str) -> str:
    """The challenge texts' renderer and nh3 sanitiser, headings starting at <h3> under the topic's title."""
    return str(markdown(text, 3))


class PostSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)
    body_html = serializers.SerializerMethodField()
    is_edited = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id", "topic", "author", "by_host", "body", "body_html", "is_opening",
            "created_at", "edited_at", "is_edited", "is_deleted", "is_hidden",
        ]  # fmt: skip

    def get_body_html(self, post: Post) -> str:
        return render_body(post.body)

    def get_is_edited(self, post: Post) -> bool:
        return post.edited_at is not None


class TopicSerializer(serializers.ModelSerializer):
    challenge = serializers.CharField(source="challenge.slug", read_only=True)
    author = serializers.CharField(source="author.username", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = [
            "id", "challenge", "title", "author", "is_announcement", "is_pinned", "is_locked", "is_hidden",
            "created_at", "last_activity_at", "reply_count", "url",
        ]  # fmt: skip

    def get_url(self, topic: Topic) -> str:
        path = reverse("topic-detail", args=[topic.challenge.slug, topic.pk])
        return self.context["request"].build_absolute_uri(path)


class TopicDetailSerializer(TopicSerializer):
    """A topic with its opening post: `body` as written, `body_html` rendered and sanitised."""

    post_id = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    by_host = serializers.SerializerMethodField()
    is_edited = serializers.SerializerMethodField()

    class Meta(TopicSerializer.Meta):
        fields = [*TopicSerializer.Meta.fields, "post_id", "body", "body_html", "by_host", "is_edited"]

    def _opening(self, topic: Topic) -> Post:
        if not hasattr(topic, "_opening"):
            topic._opening = opening_post(topic)
        return topic._opening

    def get_post_id(self, topic: Topic) -> int:
        return self._opening(topic).pk

    def get_body(self, topic: Topic) -> str:
        return self._opening(topic).body

    def get_body_html(self, topic: Topic) -> str:
        return render_body(self._opening(topic).body)

    def get_by_host(self, topic: Topic) -> bool:
        return self._opening(topic).by_host

    def get_is_edited(self, topic: Topic) -> bool:
        return self._opening(topic).edited_at is not None


class TopicCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX)
    body = serializers.CharField(max_length=BODY_MAX, trim_whitespace=False)
    announcement = serializers.BooleanField(
        default=False, help_text="Hosts only: pin the topic and notify every participant of the challenge."
    )


class TopicModerateSerializer(serializers.Serializer):
    is_pinned = serializers.BooleanField(required=False)
    is_locked = serializers.BooleanField(required=False)
    is_hidden = serializers.BooleanField(required=False)


class PostBodySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=BODY_MAX, trim_whitespace=False)


def paginated(name: str, item: type[serializers.Serializer]) -> serializers.Serializer:
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )


def _valid(serializer_class, request: Request) -> dict:
    if not isinstance(request.data, dict):
        raise serializers.ValidationError({"detail": "Send a JSON object."})
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class TopicListApi(APIView):
    """A challenge's topics, pinned first then by last activity; POST starts one (title and Markdown body)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(responses={200: paginated("TopicPage", TopicSerializer), **error_responses(400, 404)})
    def get(self, request: Request, slug: str) -> Response:
        challenge = challenge_get_visible(slug=slug, viewer=request.user)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(topics_of(challenge=challenge, viewer=request.user), request, self)
        return paginator.get_paginated_response(
            TopicSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        request=TopicCreateSerializer,
        responses={201: TopicDetailSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, slug: str) -> Response:
        challenge = challenge_get_visible(slug=slug, viewer=request.user)
        data = _valid(TopicCreateSerializer, request)
        create = announcement_create if data["announcement"] else topic_create
        topic = create(author=request.user, challenge=challenge, title=data["title"], body=data["body"])
        body = TopicDetailSerializer(topic, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class TopicDetailApi(APIView):
    """One topic with its opening post; hosts PATCH is_pinned, is_locked, is_hidden."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(responses={200: TopicDetailSerializer, **error_responses(404)})
    def get(self, request: Request, topic_id: int) -> Response:
        topic = topic_get_visible(topic_id=topic_id, viewer=request.user)
        return Response(TopicDetailSerializer(topic, context={"request": request}).data)

    @extend_schema(
        request=TopicModerateSerializer,
        responses={200: TopicDetailSerializer, **error_responses(400, 403, 404)},
    )
    def patch(self, request: Request, topic_id: int) -> Response:
        topic = topic_get_visible(topic_id=topic_id, viewer=request.user)
        topic = topic_moderate(user=request.user, topic=topic, **_valid(TopicModerateSerializer, request))
        return Response(TopicDetailSerializer(topic, context={"request": request}).data)


class TopicPostsApi(APIView):
    """The posts of a topic in order, the opening post first; POST replies (Markdown `body`)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(responses={200: paginated("PostPage", PostSerializer), **error_responses(400, 404)})
    def get(self, request: Request, topic_id: int) -> Response:
        topic = topic_get_visible(topic_id=topic_id, viewer=request.user)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(posts_of(topic=topic, viewer=request.user), request, self)
        return paginator.get_paginated_response(PostSerializer(page, many=True).data)

    @extend_schema(
        request=PostBodySerializer, responses={201: PostSerializer, **error_responses(400, 403, 404)}
    )
    def post(self, request: Request, topic_id: int) -> Response:
        topic = topic_get_visible(topic_id=topic_id, viewer=request.user)
        post = post_reply(author=request.user, topic=topic, body=_valid(PostBodySerializer, request)["body"])
        return Response(PostSerializer(post).data, status=status.HTTP_201_CREATED)


class PostDetailApi(APIView):
    """The author edits (PATCH `body`, then marked edited) or deletes their post."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(responses={200: PostSerializer, **error_responses(404)})
    def get(self, request: Request, post_id: int) -> Response:
        return Response(PostSerializer(post_get_visible(post_id=post_id, viewer=request.user)).data)

    @extend_schema(
        request=PostBodySerializer, responses={200: PostSerializer, **error_responses(400, 403, 404)}
    )
    def patch(self, request: Request, post_id: int) -> Response:
        post = post_get_visible(post_id=post_id, viewer=request.user)
        post = post_edit(user=request.user, post=post, body=_valid(PostBodySerializer, request)["body"])
        return Response(PostSerializer(post).data)

    @extend_schema(responses={204: None, **error_responses(403, 404)})
    def delete(self, request: Request, post_id: int) -> Response:
        post_delete(user=request.user, post=post_get_visible(post_id=post_id, viewer=request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)
