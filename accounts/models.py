from django.db import models


class OutgoingMail(models.Model):
    """One message to send. The row is the truth: it is written in the transaction of the action that caused it,
    and a Celery task only delivers it, so a broker or SMTP outage delays a message but never loses it."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        SENDING = "sending"
        SENT = "sent"
        FAILED = "failed"

    kind = models.CharField(max_length=40, help_text="What caused it: password_reset, verify_email, ...")
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a queued row is due (now, or after the backoff of its last failure); the sweeper goes by it.
    next_attempt_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to} ({self.status})"
