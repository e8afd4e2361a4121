"""Writes of the account: API tokens. One token per user; replacing or revoking it makes the old key useless."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from rest_framework.authtoken.models import Token


def token_get_or_create(*, user: AbstractBaseUser) -> tuple[Token, bool]:
    """The user's token, created on first use; (token, created)."""
    return Token.objects.get_or_create(user=user)


@transaction.atomic
def token_replace(*, user: AbstractBaseUser) -> Token:
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def token_revoke(*, user: AbstractBaseUser) -> None:
    Token.objects.filter(user=user).delete()
