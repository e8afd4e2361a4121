"""Datasets, their public files, challenges built on them, and each challenge's hidden solution."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from hub.storage import solutions_storage


def default_max_upload_bytes() -> int:
    """The upload limit of a challenge that sets none: HUB_DEFAULT_MAX_UPLOAD_BYTES when the challenge is made.

    A callable, so that migrations name it instead of freezing the value the variable had when they were made.
    """
    return settings.HUB_DEFAULT_MAX_UPLOAD_BYTES


class Level(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class Dataset(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown")
    source = models.CharField(max_length=500, blank=True)
    licence = models.CharField(max_length=300, blank=True)
    is_synthetic = models.BooleanField(
        default=False, help_text="Generated data standing in for a real dataset; the pages say so"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


def data_file_upload_to(instance: "DataFile", filename: str) -> str:
    return f"datasets/{instance.dataset.slug}/{filename}"


class DataFile(models.Model):
    """A public download. Served by a view, never by a media URL, so only listed files are reachable."""

    class Kind(models.TextChoices):
        TRAIN = "train", "Training data"
        TEST = "test", "Test data (no labels)"
        SAMPLE_SUBMISSION = "sample_submission", "Sample submission"
        IMAGES = "images", "Images"
        OTHER = "other", "Other"

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255, help_text="The download's file name")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    description = models.CharField(max_length=500, blank=True)
    file = models.FileField(upload_to=data_file_upload_to, max_length=500)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    position = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    preview = models.JSONField(
        default=dict, blank=True, help_text="Computed at import by projects/previews.py; empty until then"
    )

    class Meta:
        ordering = ["dataset", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["dataset", "name"], name="data_file_unique_name")]

    def __str__(self) -> str:
        return self.name


class Challenge(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.BEGINNER)
    summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True, help_text="Markdown, sanitised when shown")
    evaluation = models.TextField(blank=True, help_text="Markdown, sanitised when shown")
    starter_kit = models.TextField(
        blank=True, help_text="A short Python script that writes a valid submission"
    )
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="challenges")

    metric = models.CharField(max_length=50, help_text="Key of the scoring engine's metric registry")
    extra_metrics = models.JSONField(default=list, blank=True)
    id_column = models.CharField(max_length=100)
    target_column = models.CharField(max_length=100)
    solution_id_column = models.CharField(max_length=100)
    solution_target_column = models.CharField(max_length=100)
    allowed_labels = models.JSONField(default=list, blank=True)
    positive_label = models.CharField(max_length=100, blank=True)
    metric_k = models.PositiveIntegerField(null=True, blank=True, help_text="K for MAP@K")
    extra_formats = models.JSONField(
        default=list,
        blank=True,
        help_text='Other accepted layouts: [{"id_column": ..., "target_column": ..., "solution_id_column": ...}]',
    )

    start_at = models.DateTimeField(default=timezone.now)
    end_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: a practice problem that never ends"
    )
    daily_limit = models.PositiveIntegerField(default=10)
    total_limit = models.PositiveIntegerField(null=True, blank=True)
    max_upload_bytes = models.PositiveBigIntegerField(default=default_max_upload_bytes)
    is_published = models.BooleanField(default=True)
    max_team_size = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1)],
        help_text="Most learners in one team; 1 turns teams off",
    )
    team_merger_deadline = models.DateTimeField(
        null=True,
        blank=True,
        help_text="After it no joins, no merges and no leaving a team that has submissions; empty: until the end",
    )
    private_revealed = models.BooleanField(
        default=False, help_text="Show the private leaderboard before the end"
    )

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__isnull=True) | Q(end_at__gt=models.F("start_at")),
                name="challenge_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(max_team_size__gte=1), name="challenge_team_size_positive"),
        ]

    def __str__(self) -> str:
        return self.title


def solution_upload_to(instance: "Solution", filename: str) -> str:
    return f"solutions/{instance.challenge.slug}/{filename}"


class Solution(models.Model):
    """The hidden labels of a challenge's test set. No URL pattern reaches this file; on S3 it is in a bucket of
    its own (hub/storage.py)."""

    challenge = models.OneToOneField(Challenge, on_delete=models.CASCADE, related_name="solution")
    file = models.FileField(upload_to=solution_upload_to, max_length=500, storage=solutions_storage)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    public_rows = models.PositiveIntegerField()
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Solution of {self.challenge}"
