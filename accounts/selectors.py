"""Reads of the account."""

from django.contrib.auth.models import AbstractBaseUser
from rest_framework.authtoken.models import Token


def token_of(*, user: AbstractBaseUser) -> Token | None:
    return Token.objects.select_related("user").filter(user=user).first()
