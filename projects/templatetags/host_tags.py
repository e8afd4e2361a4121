from django import template
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from projects.models import Challenge
from projects.selectors import challenge_is_host

register = template.Library()


@register.filter
def hosted_by(challenge: Challenge, user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """Whether the page shows its hosts' links (the pages behind them check again)."""
    return user is not None and challenge_is_host(challenge, user)
