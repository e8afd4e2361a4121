import functools

from django.http import HttpRequest

from community.selectors import unread_count


def unread_notifications(request: HttpRequest) -> dict:
    """The bell's count in the header of every full page: one indexed count, only if the template reads it
    (templates call a callable; the cache makes the header's three uses one query). Live parts never pay."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": functools.cache(lambda: unread_count(user=user))}
