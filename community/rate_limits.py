"""HUB_POST_RATE: new topics and replies per user (DRF's sliding window in Django's cache, as the API's throttles)."""

from django.contrib.auth.models import User

from accounts.rate_limits import KeyedThrottle
from community.errors import PostingTooFast


class PostRateThrottle(KeyedThrottle):
    scope = "post"
    rate_setting = "HUB_POST_RATE"


def check_post_rate(*, user: User) -> None:
    """Count one new topic or reply; raise PostingTooFast once the user is over HUB_POST_RATE."""
    throttle = PostRateThrottle(str(user.pk))
    if not throttle.allow_request(None, None):
        wait = max(1, int(throttle.wait() or 1))
        raise PostingTooFast(
            f"You are posting too fast ({throttle.rate}): wait {wait} seconds and try again.",
            retry_after=wait,
        )
