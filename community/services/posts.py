"""Replies, and an author's edits and deletions of their own posts."""

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from community.errors import DiscussionForbidden, TopicLocked
from community.models import NotificationKind, Post, Topic
from community.permissions import is_host
from community.rate_limits import check_post_rate
from community.services.notifications import notify_on_commit

DELETED_BODY = "*This post was deleted by its author.*"


def _check_open(topic: Topic, user: User) -> None:
    if topic.is_locked and not is_host(user, topic.challenge):
        raise TopicLocked("This topic is locked: it takes no new replies or edits.")


@transaction.atomic
def post_reply(*, author: User, topic: Topic, body: str) -> Post:
    if not author.is_authenticated:
        raise DiscussionForbidden("Sign in to reply.")
    _check_open(topic, author)
    check_post_rate(user=author)
    post = Post.objects.create(
        topic=topic, author=author, body=body, by_host=is_host(author, topic.challenge)
    )
    Topic.objects.filter(pk=topic.pk).update(
        last_activity_at=post.created_at, reply_count=F("reply_count") + 1
    )
    if topic.author_id != author.pk:
        notify_on_commit(
            user_ids=[topic.author_id],
            kind=NotificationKind.REPLY,
            text=f"{author.get_username()} replied to your topic “{topic.title}”.",
            url=reverse("topic-detail", args=[topic.challenge.slug, topic.pk]) + f"#post-{post.pk}",
        )
    return post


def post_check_editable(*, user: User, post: Post) -> None:
    """Raise unless the user may edit the post now (the edit page asks before showing its form)."""
    _check_author(post, user, "edit")
    _check_open(post.topic, user)


def _check_author(post: Post, user: User, verb: str) -> None:
    if not user.is_authenticated or post.author_id != user.pk:
        raise DiscussionForbidden(f"Only the author of a post may {verb} it.")
    if post.is_deleted:
        raise DiscussionForbidden("This post was deleted; it cannot be changed.")


@transaction.atomic
def post_edit(*, user: User, post: Post, body: str) -> Post:
    post_check_editable(user=user, post=post)
    post.body = body
    post.edited_at = timezone.now()
    post.save(update_fields=["body", "edited_at"])
    return post


@transaction.atomic
def post_delete(*, user: User, post: Post) -> Post:
    """The text goes; the post stays as a marker so that replies after it still read in order."""
    _check_author(post, user, "delete")
    post.body = DELETED_BODY
    post.is_deleted = True
    post.edited_at = timezone.now()
    post.save(update_fields=["body", "is_deleted", "edited_at"])
    return post
