"""Starting a topic."""

from django.contrib.auth.models import User
from django.db import transaction

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
