"""System checks of the hub's own, shown by `manage.py check --deploy` whatever the settings module."""

import hashlib

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

# https://docs.djangoproject.com/en/5.2/ref/checks/#security (security.W009 asks the same of the length)
MIN_KEY_LENGTH = 50
MIN_KEY_CHARACTERS = 5
# SHA-256 of keys that earlier versions of the hub published in tracked files (the development default of
# hub/settings/base.py and the key of hub/settings/test.py): anyone can sign links and tickets with them.
PUBLISHED_KEY_DIGESTS = {
    "0b09c505d215d74d38687e045b4f3fa35630e7227ad2a239a68836dc1ba113f7",
    "57c2f858f1b5af671c0e42f84c87ffec07b85d51c1f6d8bb76e122ed49528123",
}
_HINT = (
    'Set SECRET_KEY to a long random string (python3 -c "import secrets; print(secrets.token_urlsafe(50))"), '
    "or leave it unset outside production to use the key made for this hub under HUB_VAR_DIR."
)


@register(Tags.security, deploy=True)
def check_secret_key(app_configs=None, **kwargs) -> list[Error]:
    """A key anyone may know lets them forge sessions, result links and upload tickets."""
    try:
        key = settings.SECRET_KEY or ""
    except (AttributeError, ImproperlyConfigured):  # Django refuses to read an empty key
        key = ""
    if not key.strip():
        return [Error("SECRET_KEY is missing or empty.", hint=_HINT, id="hub.E001")]
    published = hashlib.sha256(key.encode()).hexdigest() in PUBLISHED_KEY_DIGESTS
    if published or key.startswith("django-insecure-"):
        return [Error("SECRET_KEY is a development key that is published.", hint=_HINT, id="hub.E002")]
    if len(key) < MIN_KEY_LENGTH or len(set(key)) < MIN_KEY_CHARACTERS:
        return [
            Error(
                f"SECRET_KEY is too short to be secret: {len(key)} characters, {len(set(key))} different ones "
                f"(at least {MIN_KEY_LENGTH} and {MIN_KEY_CHARACTERS}).",
                hint=_HINT,
                id="hub.E003",
            )
        ]
    return []
