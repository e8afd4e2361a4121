"""The outgoing-mail queue: write the row with the action, deliver it from a Celery task, retry on SMTP errors.

Delivery is at least once: a worker killed between the SMTP server's "250 OK" and the row's update sends that
message again after the sweeper's grace; losing a password-reset message is worse than a duplicate.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import OutgoingMail

logger = logging.getLogger(__name__)

SEND_TASK = "mail.send"
# What an SMTP server or the network raises for a delivery worth trying again (refused, closed, timed out, 4xx).
DELIVERY_ERRORS = (smtplib.SMTPException, OSError)


class MailDeliveryFailed(Exception):
    """The server did not take the message; it is queued again and should be retried after `retry_in` seconds."""

    def __init__(self, message: str, *, retry_in: float):
        super().__init__(message)
        self.retry_in = retry_in


def mail_queue(
    *, kind: str, to: str, subject: str, body: str, headers: dict[str, str] | None = None
) -> OutgoingMail:
    """Store a message and send it once the caller's transaction commits (never inside the request)."""
    mail = OutgoingMail.objects.create(kind=kind, to=to, subject=subject, body=body, headers=headers or {})
    transaction.on_commit(lambda: mail_enqueue(mail.pk))
    return mail


def mail_enqueue(mail_id: int, *, countdown: float | None = None) -> None:
    from hub.celery import app as celery_app

    try:
        celery_app.send_task(
            SEND_TASK,
            args=[mail_id],
            countdown=countdown,
            retry=True,
            retry_policy=settings.HUB_ENQUEUE_RETRY_POLICY,
        )
    except Exception:
        # The row is stored; the sweeper enqueues it again.
        logger.warning("Could not enqueue mail %s; the sweeper will retry", mail_id, exc_info=True)


def retry_delay(attempts: int) -> float:
    """Exponential backoff from HUB_MAIL_RETRY_SECONDS, capped at HUB_MAIL_RETRY_MAX_SECONDS."""
    return min(
        settings.HUB_MAIL_RETRY_MAX_SECONDS, settings.HUB_MAIL_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    )


def mail_send(*, mail_id: int) -> bool:
    """Deliver one queued message; True if this call sent it.

    The claim is a conditional update, so a duplicate delivery of the task (or the sweeper's) does nothing while
    another sends. Raises MailDeliveryFailed on a delivery error, with the row queued again for the retry, or
    marked failed once HUB_MAIL_MAX_ATTEMPTS are spent.
    """
    now = timezone.now()
    claimed = OutgoingMail.objects.filter(pk=mail_id, status=OutgoingMail.Status.QUEUED).update(
        status=OutgoingMail.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    mail = OutgoingMail.objects.get(pk=mail_id)
    message = EmailMessage(
        subject=mail.subject,
        body=mail.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.to],
        headers=mail.headers or None,
    )
    try:
        message.send()
    except DELIVERY_ERRORS as error:
        text = f"{type(error).__name__}: {error}"[:2000]
        if mail.attempts >= settings.HUB_MAIL_MAX_ATTEMPTS:
            OutgoingMail.objects.filter(pk=mail_id).update(status=OutgoingMail.Status.FAILED, last_error=text)
            logger.error("Mail %s not sent after %s attempts: %s", mail_id, mail.attempts, text)
            return False
        delay = retry_delay(mail.attempts)
        OutgoingMail.objects.filter(pk=mail_id).update(
            status=OutgoingMail.Status.QUEUED,
            last_error=text,
            next_attempt_at=now + timedelta(seconds=delay),
        )
        logger.warning(
            "Mail %s not sent (attempt %s), again in %s s: %s", mail_id, mail.attempts, delay, text
        )
        raise MailDeliveryFailed(text, retry_in=delay) from error
    OutgoingMail.objects.filter(pk=mail_id).update(status=OutgoingMail.Status.SENT, sent_at=timezone.now())
    return True


def mail_sweep() -> int:
    """Enqueue again what lost its task: queued rows overdue by HUB_MAIL_SWEEP_GRACE_SECONDS (the broker was down,
    or the worker holding the retry died) and rows left `sending` by a killed worker. Returns how many."""
    now = timezone.now()
    grace = timedelta(seconds=settings.HUB_MAIL_SWEEP_GRACE_SECONDS)
    OutgoingMail.objects.filter(status=OutgoingMail.Status.SENDING, claimed_at__lt=now - grace * 10).update(
        status=OutgoingMail.Status.QUEUED, next_attempt_at=now - 2 * grace
    )
    ids = list(
        OutgoingMail.objects.filter(status=OutgoingMail.Status.QUEUED, next_attempt_at__lt=now - grace)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )
    for mail_id in ids:
        mail_enqueue(mail_id)
    return len(ids)


def mail_send_again(*, mail_ids: list[int]) -> int:
    """An admin's "send again" for failed messages: queued with a fresh count of attempts."""
    ids = list(
        OutgoingMail.objects.filter(pk__in=mail_ids, status=OutgoingMail.Status.FAILED).values_list(
            "pk", flat=True
        )
    )
    OutgoingMail.objects.filter(pk__in=ids).update(
        status=OutgoingMail.Status.QUEUED, attempts=0, next_attempt_at=timezone.now()
    )
    for mail_id in ids:
        transaction.on_commit(lambda mail_id=mail_id: mail_enqueue(mail_id))
    return len(ids)
