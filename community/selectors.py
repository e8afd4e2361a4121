"""Reads of the discussion. Visibility follows the challenge's (challenge_get_visible: a challenge the viewer may
not see, a draft or a private one, and its discussion are 404); hidden topics and posts are seen by hosts only."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import Http404

from community.errors import DiscussionNotFound
from community.models import EMAIL_BY_DEFAULT, EmailPreference, Notification, Post, Topic
from community.permissions import is_host
from projects.models import Challenge
from projects.selectors import challenge_get_visible

Viewer = User | AnonymousUser


def topics_of(*, challenge: Challenge, viewer: Viewer) -> QuerySet[Topic]:
    """Pinned first, then by last activity."""
    topics = Topic.objects.filter(challenge=challenge).select_related("author")
    if not is_host(viewer, challenge):
        topics = topics.filter(is_hidden=False)
    return topics.order_by("-is_pinned", "-last_activity_at", "-pk")


def topic_get_visible(*, topic_id: int, viewer: Viewer) -> Topic:
    topic = Topic.objects.select_related("challenge", "author").filter(pk=topic_id).first()
    if topic is None:
        raise DiscussionNotFound(f"There is no topic {topic_id}.")
    try:
        challenge_get_visible(slug=topic.challenge.slug, viewer=viewer)
    except Http404:
        # The topic of a challenge the viewer may not see was never made: its 404 names no challenge.
        raise DiscussionNotFound(f"There is no topic {topic_id}.") from None
    if topic.is_hidden and not is_host(viewer, topic.challenge):
        raise DiscussionNotFound(f"There is no topic {topic_id}.")
    return topic


def posts_of(*, topic: Topic, viewer: Viewer) -> QuerySet[Post]:
    posts = Post.objects.filter(topic=topic).select_related("author").order_by("created_at", "pk")
    if not is_host(viewer, topic.challenge):
        posts = posts.filter(is_hidden=False)
    return posts


def opening_post(topic: Topic) -> Post:
    return Post.objects.select_related("author").get(topic=topic, is_opening=True)


def post_get_visible(*, post_id: int, viewer: Viewer) -> Post:
    post = Post.objects.select_related("topic", "topic__challenge", "author").filter(pk=post_id).first()
    if post is None:
        raise DiscussionNotFound(f"There is no post {post_id}.")
    try:
        topic_get_visible(topic_id=post.topic_id, viewer=viewer)
    except DiscussionNotFound:
        # Nor its topic's number: a post nobody may see answers as one nobody wrote.
        raise DiscussionNotFound(f"There is no post {post_id}.") from None
    if post.is_hidden and not is_host(viewer, post.topic.challenge):
        raise DiscussionNotFound(f"There is no post {post_id}.")
    return post


def notifications_of(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def email_choices_of(*, user: User) -> dict[str, bool]:
    """Each kind with whether the user gets e-mail for it (their choice, else the default)."""
    chosen = dict(EmailPreference.objects.filter(user=user).values_list("kind", "send_email"))
    return {kind: chosen.get(kind, default) for kind, default in EMAIL_BY_DEFAULT.items()}
