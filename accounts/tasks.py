"""Celery tasks of the outgoing-mail queue: thin, they pass ids to accounts.services.mail."""

from celery import shared_task
from django.db import Error as DatabaseError

from accounts.services.mail import SEND_TASK, MailDeliveryFailed, mail_send, mail_sweep


@shared_task(name=SEND_TASK, bind=True, autoretry_for=(DatabaseError,), retry_backoff=2, max_retries=5)
def send_mail(self, mail_id: int) -> None:
    try:
        mail_send(mail_id=mail_id)
    except MailDeliveryFailed as failure:
        # The row counts attempts and gives up (status failed); Celery only schedules the next one.
        raise self.retry(countdown=failure.retry_in, max_retries=None) from failure


@shared_task(name="mail.sweep", ignore_result=True)
def sweep_mail() -> int:
    return mail_sweep()
