"""In-app notifications, and e-mail for the kinds each learner chose, with a signed unsubscribe link.

Called on commit of the action that caused them (a score stored, a reply, an announcement, a board revealed); the
notification rows and the outgoing-mail rows are written in one transaction, and the mail task sends later.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.services.mail import mail_queue
from community.models import EMAIL_BY_DEFAULT, EmailPreference, Notification, NotificationKind

logger = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "community.unsubscribe"


def email_wanted(*, user_ids: Iterable[int], kind: str) -> set[int]:
    """The users among `user_ids` who get e-mail for `kind` (their choice, else the default)."""
    ids = set(user_ids)
    chosen = dict(
        EmailPreference.objects.filter(user_id__in=ids, kind=kind).values_list("user_id", "send_email")
    )
    default = EMAIL_BY_DEFAULT[NotificationKind(kind)]
    return {user_id for user_id in ids if chosen.get(user_id, default)}


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps({"user": user_id, "kind": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    path = reverse("notifications-unsubscribe", args=[unsubscribe_token(user_id=user_id, kind=kind)])
    return settings.HUB_SITE_URL.rstrip("/") + path


@transaction.atomic
def notify(*, user_ids: Iterable[int], kind: str, text: str, url: str) -> list[Notification]:
    """A notification for each user, and a message to those who want e-mail for this kind and have an address."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    created = Notification.objects.bulk_create(
        [Notification(user_id=user_id, kind=kind, text=text[:500], url=url) for user_id in ids]
    )
    wanted = email_wanted(user_ids=ids, kind=kind)
    recipients = get_user_model().objects.filter(pk__in=wanted, is_active=True).exclude(email="")
    absolute = url if url.startswith("http") else settings.HUB_SITE_URL.rstrip("/") + url
    for user in recipients.only("pk", "email", "username"):
        unsubscribe = unsubscribe_url(user_id=user.pk, kind=kind)
        mail_queue(
            kind=f"notification:{kind}",
            to=user.email,
            subject=f"Practice Hub: {text[:150]}",
            body=(
                f"Hello {user.username},\n\n{text}\n\n{absolute}\n\n--\n"
                f"You get this because of your notification settings: {settings.HUB_SITE_URL.rstrip('/')}"
                f"{reverse('notification-settings')}\n"
                f"Stop e-mail of this kind with one click: {unsubscribe}\n"
            ),
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
    return created


def notify_on_commit(**kwargs) -> None:
    """notify() once the caller's transaction commits; a failure is logged and never undoes the caller's work."""

    def send() -> None:
        try:
            notify(**kwargs)
        except Exception:
            logger.exception("Could not store the %s notification", kwargs.get("kind"))

    transaction.on_commit(send)


@transaction.atomic
def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the given notifications of the user read (all of them without ids); returns how many changed."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def email_preferences_set(*, user, choices: dict[str, bool]) -> None:
    for kind, send_email in choices.items():
        EmailPreference.objects.update_or_create(user=user, kind=kind, defaults={"send_email": send_email})


class UnsubscribeLinkInvalid(Exception):
    pass


def email_unsubscribe(*, token: str) -> tuple[int, str]:
    """Turn off e-mail of one kind for the user a link was sent to; no sign-in, the signature is the proof."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        kind = NotificationKind(data["kind"])
    except (signing.BadSignature, ValueError, KeyError, TypeError):
        raise UnsubscribeLinkInvalid(
            "This unsubscribe link is not valid: copy the whole link from the message."
        ) from None
    if not get_user_model().objects.filter(pk=data["user"]).exists():
        raise UnsubscribeLinkInvalid("The account this link was sent for no longer exists.")
    EmailPreference.objects.update_or_create(user_id=data["user"], kind=kind, defaults={"send_email": False})
    return data["user"], kind


# --- The events -------------------------------------------------------------------------------------------------


def notify_submission_outcome(*, submission_id: int) -> None:
    """Called once a submission's score or failure is stored (submissions/services/scoring.py, on commit)."""
    from submissions.models import Submission

    submission = Submission.objects.select_related("challenge").filter(pk=submission_id).first()
    if submission is None or submission.is_baseline or submission.user_id is None:
        return  # (no author: their account was deleted while the team kept the submission)
    url = reverse("submission-detail", args=[submission.pk])
    title = submission.challenge.title
    if submission.status == Submission.Status.SCORED:
        score = "—" if submission.public_score is None else f"{submission.public_score:.5f}"
        notify(user_ids=[submission.user_id], kind=NotificationKind.SCORED, url=url,
               text=f"Your submission {submission.pk} to {title} scored {score}.")  # fmt: skip
    elif submission.status == Submission.Status.FAILED:
        notify(user_ids=[submission.user_id], kind=NotificationKind.FAILED, url=url,
               text=f"Your submission {submission.pk} to {title} failed: {submission.error}")  # fmt: skip


def submission_outcome_stored(submission_id: int) -> None:
    """The one call scoring makes (inside its transaction): notify once the outcome is committed."""

    def send() -> None:
        try:
            notify_submission_outcome(submission_id=submission_id)
        except Exception:
            logger.exception("Could not store the notification of submission %s", submission_id)

    transaction.on_commit(send)


def challenge_participant_ids(challenge) -> list[int]:
    """Learners who submitted to the challenge or posted in its discussion."""
    from community.models import Post
    from submissions.models import Submission

    submitters = Submission.objects.filter(challenge=challenge, is_baseline=False).values_list(
        "user_id", flat=True
    )
    posters = Post.objects.filter(topic__challenge=challenge).values_list("author_id", flat=True)
    return sorted(set(submitters) | set(posters))


def private_board_revealed(challenge) -> None:
    """Called by challenge_reveal_private (projects/services.py)."""
    notify_on_commit(
        user_ids=challenge_participant_ids(challenge),
        kind=NotificationKind.PRIVATE_REVEALED,
        text=f"The private leaderboard of {challenge.title} is revealed.",
        url=reverse("challenge-leaderboard", args=[challenge.slug]) + "?split=private",
    )
