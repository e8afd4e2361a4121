"""Refusals of the discussion, in words for a person (hub/errors.py DomainRefusal): each protocol maps the reason to
its status once (hub/api_errors.py for the API and the pages)."""

from enum import Enum

from hub.errors import DomainRefusal


class DiscussionReason(Enum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    TOPIC_LOCKED = "topic_locked"
    THROTTLED = "throttled"


class DiscussionError(DomainRefusal):
    """A discussion refusal; each subclass is one reason, raised with the message alone."""

    reason = DiscussionReason.INVALID


class DiscussionNotFound(DiscussionError):
    reason = DiscussionReason.NOT_FOUND


class DiscussionForbidden(DiscussionError):
    reason = DiscussionReason.PERMISSION_DENIED


class TopicLocked(DiscussionError):
    reason = DiscussionReason.TOPIC_LOCKED


class PostingTooFast(DiscussionError):
    reason = DiscussionReason.THROTTLED

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after
