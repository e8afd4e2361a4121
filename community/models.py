from django.conf import settings
from django.db import models

from projects.models import Challenge

TITLE_MAX = 200
BODY_MAX = 20_000


class Topic(models.Model):
    """A discussion thread. Its target is a challenge today; when datasets get discussions, a nullable `dataset`
    foreign key joins `challenge` (made nullable) with a CheckConstraint that exactly one is set, rather than a
    generic foreign key, so visibility stays one join and the database keeps the reference intact."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="topics")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(max_length=TITLE_MAX)
    is_announcement = models.BooleanField(default=False)
    is_pinned = models.BooleanField(default=False)
    is_locked = models.BooleanField(default=False, help_text="No new replies, except from hosts")
    is_hidden = models.BooleanField(default=False, help_text="Seen by hosts only")
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(auto_now_add=True)
    reply_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["challenge", "-is_pinned", "-last_activity_at"])]

    def __str__(self) -> str:
        return self.title


class Post(models.Model):
    """The opening post of a topic (is_opening) or a reply. Markdown as written; rendered and sanitised on read."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
    body = models.TextField(max_length=BODY_MAX)
    is_opening = models.BooleanField(default=False)
    # The author was a host (or the hub's staff) when posting: the mark stays with the post.
    by_host = models.BooleanField(default=False)
    is_deleted = models.BooleanField(default=False)
    is_hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["topic", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["topic"], condition=models.Q(is_opening=True), name="one_opening_post_per_topic"
            )
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} in {self.topic_id}"


class PostReport(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="post_reports"
    )
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "reporter"], name="one_report_per_post_and_user")
        ]

    def __str__(self) -> str:
        return f"Report of post {self.post_id} by {self.reporter_id}"


class NotificationKind(models.TextChoices):
    SCORED = "scored", "My submission was scored"
    FAILED = "failed", "My submission failed"
    REPLY = "reply", "A reply to my topic"
    ANNOUNCEMENT = "announcement", "An announcement on a challenge I take part in"
    PRIVATE_REVEALED = "private_revealed", "The private leaderboard of a challenge I take part in is revealed"


# E-mail for each kind unless the learner chose otherwise on the settings page.
EMAIL_BY_DEFAULT = {
    NotificationKind.SCORED: False,
    NotificationKind.FAILED: False,
    NotificationKind.REPLY: True,
    NotificationKind.ANNOUNCEMENT: True,
    NotificationKind.PRIVATE_REVEALED: True,
}


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class EmailPreference(models.Model):
    """A learner's choice of e-mail for one kind; without a row, EMAIL_BY_DEFAULT holds."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    send_email = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_email_preference_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} e-mail {'on' if self.send_email else 'off'} for {self.user_id}"
