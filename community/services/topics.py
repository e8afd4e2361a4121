"""Starting a topic."""

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse

from community.errors import DiscussionForbidden
from community.models import Post, Topic
from community.permissions import is_host
from community.rate_limits import check_post_rate
from projects.models import Challenge


@transaction.atomic
def topic_create(*, author: User, challenge: Challenge, title: str, body: str) -> Topic:
    """A topic and its opening post. The caller has checked that the author may see the challenge."""
    if not author.is_authenticated:
        raise DiscussionForbidden("Sign in to start a topic.")
    check_post_rate(user=author)
    topic = Topic.objects.create(challenge=challenge, author=author, title=title.strip())
    Post.objects.create(
        topic=topic, author=author, body=body, is_opening=True, by_host=is_host(author, challenge)
    )
    return topic


@transaction.atomic
def announcement_create(*, author: User, challenge: Challenge, title: str, body: str) -> Topic:
    """A host's announcement: a pinned topic that notifies every participant of the challenge."""
    from community.models import NotificationKind
    from community.services.notifications import challenge_participant_ids, notify_on_commit

    if not is_host(author, challenge):
        raise DiscussionForbidden("Only the challenge's hosts may post announcements.")
    topic = topic_create(author=author, challenge=challenge, title=title, body=body)
    topic.is_announcement = topic.is_pinned = True
    topic.save(update_fields=["is_announcement", "is_pinned"])
    notify_on_commit(
        user_ids=[user_id for user_id in challenge_participant_ids(challenge) if user_id != author.pk],
        kind=NotificationKind.ANNOUNCEMENT,
        text=f"Announcement on {challenge.title}: {topic.title}",
        url=reverse("topic-detail", args=[challenge.slug, topic.pk]),
    )
    return topic
