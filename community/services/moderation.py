"""Hosts pin, lock and hide; anyone signed in reports a post (reports are listed in the admin)."""

from django.contrib.auth.models import User
from django.db import transaction

from community.errors import DiscussionForbidden
from community.models import Post, PostReport, Topic
from community.permissions import is_host

TOPIC_FLAGS = ("is_pinned", "is_locked", "is_hidden")


@transaction.atomic
def topic_moderate(*, user: User, topic: Topic, **flags: bool) -> Topic:
    """Set any of is_pinned, is_locked, is_hidden."""
    if not is_host(user, topic.challenge):
        raise DiscussionForbidden("Only the challenge's hosts may pin, lock or hide topics.")
    changed = [name for name in TOPIC_FLAGS if name in flags and flags[name] is not None]
    for name in changed:
        setattr(topic, name, bool(flags[name]))
    if changed:
        topic.save(update_fields=changed)
    return topic


@transaction.atomic
def post_set_hidden(*, user: User, post: Post, hidden: bool) -> Post:
    if not is_host(user, post.topic.challenge):
        raise DiscussionForbidden("Only the challenge's hosts may hide posts.")
    post.is_hidden = hidden
    post.save(update_fields=["is_hidden"])
    return post


@transaction.atomic
def post_report(*, user: User, post: Post, reason: str = "") -> PostReport:
    """One report per post and user; reporting again updates the reason."""
    if not user.is_authenticated:
        raise DiscussionForbidden("Sign in to report a post.")
    report, _ = PostReport.objects.update_or_create(
        post=post, reporter=user, defaults={"reason": reason[:500], "resolved": False}
    )
    return report
