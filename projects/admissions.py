"""Writes of admissions: a learner joins a private challenge with its invite code, or by an allowed e-mail."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.http import Http404

from .models import Admission, Challenge, Visibility
from .selectors import challenge_get_by_invite, challenge_get_visible, challenge_is_host


def challenge_join(*, user: AbstractBaseUser, slug: str, invite_code: str = "") -> Admission | None:
    """Admit the learner to the challenge `slug`: by its invite code, or because it already admits them (an
    allowed e-mail, an earlier admission, a host). A wrong code answers as a slug nobody uses does (Http404), so
    that joining cannot be used to learn which private challenges exist. Joining twice keeps the first date.

    Returns the admission, or None for a public or unlisted challenge, which everyone may enter already.
    """
    challenge = challenge_get_by_invite(slug=slug, invite_code=invite_code)
    if challenge is not None:
        return _admit(challenge, user, Admission.Via.INVITE)
    # Without a matching code: only a challenge the learner may see already (its one rule) can be joined.
    challenge = challenge_get_visible(slug=slug, viewer=user)
    if challenge.visibility != Visibility.PRIVATE:
        return None
    if not challenge.is_published:  # a draft seen by its host: hosts need no admission
        raise Http404(f"There is no challenge '{slug}'. The list is at /api/v1/challenges/.")
    via = Admission.Via.HOST if challenge_is_host(challenge, user) else Admission.Via.EMAIL
    return _admit(challenge, user, via)


def _admit(challenge: Challenge, user: AbstractBaseUser, via: str) -> Admission:
    existing = Admission.objects.filter(challenge=challenge, user=user).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Admission.objects.create(challenge=challenge, user=user, via=via)
    except IntegrityError:  # the same learner joining twice at once
        return Admission.objects.get(challenge=challenge, user=user)
