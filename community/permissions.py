"""Who may do what in a discussion: one place, used by the services and by the pages to show buttons."""

from django.contrib.auth.models import AnonymousUser, User

from projects.models import Challenge


def is_host(user: User | AnonymousUser, challenge: Challenge | None = None) -> bool:
    """Challenges have no host of their own yet: the hub's staff and superusers host every challenge."""
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))
