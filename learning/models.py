"""Learning paths (ordered tracks of challenges) and the milestones a learner reaches in each challenge."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from projects.models import Challenge


class Track(models.Model):
    """An ordered path through challenges, e.g. "First steps": Digits, Breast Cancer, Diabetes, Age Detection.

    Defined by a bundle's `tracks` key (each bundle places its own challenge) or by admins."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    featured_order = models.PositiveIntegerField(
        default=100, help_text="Tracks are listed by this, then title"
    )
    is_published = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["featured_order", "title"]

    def __str__(self) -> str:
        return self.title


class TrackStep(models.Model):
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="steps")
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="track_steps")
    position = models.PositiveIntegerField(help_text="1 = the first challenge of the track")

    class Meta:
        ordering = ["track", "position"]
        constraints = [
            models.UniqueConstraint(fields=["track", "challenge"], name="track_step_challenge_once"),
        ]

    def __str__(self) -> str:
        return f"{self.track}: {self.position}. {self.challenge}"


class Milestone(models.Model):
    """One milestone of one learner in one challenge, awarded once (never taken back: a badge stays earned)."""

    class Kind(models.TextChoices):
        # In the order they are awarded when several are reached at once.
        FIRST_VALID = "first_valid", "First valid submission"
        BEAT_BASELINE = "beat_baseline", "Beat the baseline"
        TOP_HALF = "top_half", "Top half"
        TOP_TEN_PERCENT = "top_ten_percent", "Top 10 %"
        PICKED_FINAL = "picked_final", "Picked a final"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="milestones")
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The submission that reached it; null if that submission was deleted later.
    submission = models.ForeignKey(
        "submissions.Submission", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    awarded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["awarded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "challenge", "kind"], name="milestone_once"),
        ]
        indexes = [models.Index(fields=["user", "awarded_at"], name="milestone_by_user")]

    def __str__(self) -> str:
        return f"{self.user} · {self.challenge} · {self.get_kind_display()}"
