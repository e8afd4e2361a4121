"""Who is calling: the hub's API token is the learner's key in both clients.

EvalAI sends `Authorization: Bearer <token>`. Kaggle sends HTTP Basic with the username and key of kaggle.json,
or `Bearer <token>` when the key is given as KAGGLE_API_TOKEN. A key the hub does not know is refused with a
sentence naming the page where the learner's token is shown, never treated as an anonymous call.
"""

import base64
import binascii

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request


def user_of_key(key: str) -> AbstractBaseUser | None:
    """The active user whose API token is `key`, or None."""
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return None
    return token.user


def _token_page(request: Request) -> str:
    return request.build_absolute_uri(reverse("token"))


class EvalAIBearerAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, str] | None:
        scheme, _, key = get_authorization_header(request).decode("latin-1").partition(" ")
        if scheme.lower() not in ("bearer", "token") or not key.strip():
            return None
        user = user_of_key(key.strip())
        if user is None:
            raise AuthenticationFailed(
                "This token is not an API token of this hub. Copy yours from "
                f"{_token_page(request)} and run: evalai set_token <your token>"
            )
        return user, key.strip()

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"


class KaggleKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, str] | None:
        scheme, _, credentials = get_authorization_header(request).decode("latin-1").partition(" ")
        scheme = scheme.lower()
        if scheme == "bearer" and credentials.strip():
            key = credentials.strip()
            user = user_of_key(key)
            if user is None:
                raise AuthenticationFailed(
                    f"KAGGLE_API_TOKEN is not an API token of this hub. Copy yours from {_token_page(request)}."
                )
            return user, key
        if scheme != "basic":
            return None
        try:
            username, _, key = base64.b64decode(credentials.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise AuthenticationFailed("The Basic credentials are not base64 of username:key.") from None
        user = user_of_key(key)
        if user is None:
            raise AuthenticationFailed(
                "The key in kaggle.json is not an API token of this hub. Copy your token from "
                f'{_token_page(request)} into kaggle.json as "key", with your hub username as "username".'
            )
        if user.get_username() != username:
            raise AuthenticationFailed(
                f"The key in kaggle.json belongs to the hub user '{user.get_username()}', not '{username}'. "
                "Put that username in kaggle.json, or your own token as the key."
            )
        return user, key

    def authenticate_header(self, request: Request) -> str:
        return 'Basic realm="hub"'
