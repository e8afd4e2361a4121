"""A learner's e-mail address: changed only by following a signed link sent to the new address.

User.email holds a verified address or nothing, so password-reset messages only ever go to an address its owner
proved they read; the address waiting for verification lives only in the signed link (no table of pending ones).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import OutgoingMail
from accounts.services.mail import mail_queue

VERIFY_SALT = "accounts.email.verify"


class EmailVerificationFailed(Exception):
    """A verification link that cannot be used; the message says why, for the person who followed it."""


def email_is_verified(user: AbstractBaseUser) -> bool:
    return bool(getattr(user, "email", ""))


@transaction.atomic
def email_verification_request(*, user: AbstractBaseUser, email: str, site_url: str) -> OutgoingMail:
    """Send a link that sets `email` as the user's address once followed (within HUB_EMAIL_VERIFY_SECONDS)."""
    token = signing.dumps({"user": user.pk, "email": email.strip()}, salt=VERIFY_SALT, compress=True)
    link = site_url.rstrip("/") + reverse("email-verify", args=[token])
    context = {"user": user, "link": link, "hours": settings.HUB_EMAIL_VERIFY_SECONDS // 3600}
    return mail_queue(
        kind="verify_email",
        to=email.strip(),
        subject="Confirm your e-mail address for Practice Hub",
        body=render_to_string("accounts/mail/verify_email.txt", context),
    )


@transaction.atomic
def email_verify(*, token: str) -> AbstractBaseUser:
    """Set the address a verification link carries. Following the same link again changes nothing."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=settings.HUB_EMAIL_VERIFY_SECONDS)
    except signing.SignatureExpired:
        raise EmailVerificationFailed(
            "This link has expired. Ask for a new one on your e-mail settings page."
        ) from None
    except signing.BadSignature:
        raise EmailVerificationFailed(
            "This link is not valid. Copy the whole link from the message."
        ) from None
    users = get_user_model().objects.select_for_update()
    user = users.filter(pk=data["user"], is_active=True).first()
    if user is None:
        raise EmailVerificationFailed("The account this link was sent for no longer exists.")
    if users.filter(email__iexact=data["email"]).exclude(pk=user.pk).exists():
        raise EmailVerificationFailed("This address belongs to another account on this hub; use another one.")
    if user.email != data["email"]:
        user.email = data["email"]
        user.save(update_fields=["email"])
    return user
