"""Who may do what in a discussion: one place, used by the services and by the pages to show buttons."""

from django.contrib.auth.models import AnonymousUser, User

from projects.models import Challenge
from projects.selectors import challenge_is_host


def is_host(user: User | AnonymousUser, challenge: Challenge | None = None) -> bool:
    """The hub's staff moderate every discussion; a challenge's own hosts (projects.selectors) moderate its."""
    if user.is_authenticated and (user.is_staff or user.is_superuser):
        return True
    return challenge is not None and challenge_is_host(challenge, user)
