"""Refusals of the discussion, in words for a person; each protocol maps them once (hub/api_errors.py for the
API, community/views.py `refusal_page` for the pages)."""


class DiscussionError(Exception):
    code = "invalid"


class DiscussionNotFound(DiscussionError):
    code = "not_found"


class DiscussionForbidden(DiscussionError):
    code = "permission_denied"


class TopicLocked(DiscussionError):
    code = "topic_locked"


class PostingTooFast(DiscussionError):
    code = "throttled"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after
