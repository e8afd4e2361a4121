"""Datasets, their public files, challenges built on them, and each challenge's hidden solution."""

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
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


class FileKind(models.TextChoices):
    TRAIN = "train", "Training data"
    TEST = "test", "Test data (no labels)"
    SAMPLE_SUBMISSION = "sample_submission", "Sample submission"
    IMAGES = "images", "Images"
    OTHER = "other", "Other"


class Licence(models.TextChoices):
    """SPDX identifiers (https://spdx.org/licenses/); `other` with its text in Dataset.licence."""

    CC0 = "CC0-1.0", "CC0 1.0 (public domain)"
    CC_BY = "CC-BY-4.0", "CC BY 4.0"
    CC_BY_SA = "CC-BY-SA-4.0", "CC BY-SA 4.0"
    ODBL = "ODbL-1.0", "Open Database License 1.0"
    MIT = "MIT", "MIT"
    OTHER = "other", "Other (see the licence text)"


class Tag(models.Model):
    name = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Dataset(models.Model):
    """A dataset with an owner and immutable versions; its reference is `owner/slug`, as on Kaggle.

    `files` (DataFile) are the files a challenge built on the dataset serves: for a bundle's dataset they equal the
    files of the version the challenge pins. Published datasets list their versions' files (DatasetFile)."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "private", "Private: only you and the challenges that use it"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="datasets")
    slug = models.SlugField(max_length=100)
    title = models.CharField(max_length=200)
    subtitle = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True, help_text="The data card, Markdown, sanitised when shown")
    source = models.CharField(max_length=500, blank=True)
    licence_id = models.CharField(max_length=20, choices=Licence.choices, default=Licence.OTHER)
    licence = models.CharField(max_length=300, blank=True, help_text="The licence's text when it is 'other'")
    tags = models.ManyToManyField(Tag, blank=True, related_name="datasets")
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    is_hidden = models.BooleanField(
        default=False, help_text="Hidden by a moderator: shown to nobody but its owner"
    )
    is_synthetic = models.BooleanField(
        default=False, help_text="Generated data standing in for a real dataset; the pages say so"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "slug"], name="dataset_unique_slug_per_owner")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def licence_name(self) -> str:
        if self.licence_id == Licence.OTHER:
            return self.licence
        return Licence(self.licence_id).label


def blob_upload_to(instance: "Blob", filename: str) -> str:
    # Under the content's sha256; the name it was first uploaded under keeps its suffix (previews read it).
    return f"blobs/{instance.sha256[:2]}/{instance.sha256}/{filename}"


class Blob(models.Model):
    """A file's bytes, stored once under their sha256 whatever the datasets and versions that list them.

    The preview is of the content, so it is computed once (projects/tasks.py) and shared by every listing."""

    sha256 = models.CharField(max_length=64, unique=True, validators=[RegexValidator(r"^[0-9a-f]{64}$")])
    size = models.PositiveBigIntegerField()
    file = models.FileField(upload_to=blob_upload_to, max_length=500)
    preview = models.JSONField(default=dict, blank=True, help_text="Empty until the preview task has run")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.sha256


class DatasetVersion(models.Model):
    """Immutable once created: its files never change. The zip of all its files is built once, after creation."""

    class ZipState(models.TextChoices):
        PENDING = "pending", "Being built"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    note = models.CharField(max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    zip_state = models.CharField(max_length=10, choices=ZipState.choices, default=ZipState.PENDING)
    zip_file = models.FileField(max_length=500, blank=True)
    zip_size = models.PositiveBigIntegerField(null=True, blank=True)
    zip_sha256 = models.CharField(max_length=64, blank=True)
    download_count = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["dataset", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="dataset_version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} v{self.number}"


class DatasetFile(models.Model):
    """One file of a version: its name there and the blob holding its bytes."""

    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=20, choices=FileKind.choices, default=FileKind.OTHER)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="listings")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["version", "name"], name="dataset_file_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def size(self) -> int:
        return self.blob.size

    @property
    def sha256(self) -> str:
        return self.blob.sha256

    @property
    def preview(self) -> dict:
        return self.blob.preview

    description = ""  # what a DataFile has, so both show in the same file table


class DatasetReport(models.Model):
    """A user's report of a dataset to the moderators, listed in the admin."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["resolved", "-created_at"]

    def __str__(self) -> str:
        return f"Report of {self.dataset} by {self.reporter}"


def data_file_upload_to(instance: "DataFile", filename: str) -> str:
    return f"datasets/{instance.dataset.slug}/{filename}"


class DataFile(models.Model):
    """A public download. Served by a view, never by a media URL, so only listed files are reachable."""

    Kind = FileKind

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


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public: listed, open to everyone"
    UNLISTED = "unlisted", "Unlisted: anyone with the link, not listed"
    PRIVATE = "private", "Private: its hosts and the learners it admits"


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
    dataset_version = models.ForeignKey(
        DatasetVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="challenges",
        help_text="The version the challenge was built on: a newer version never changes its data",
    )

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
    is_published = models.BooleanField(
        default=True, help_text="A draft (not published) is visible to its hosts only"
    )
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    invite_code = models.CharField(
        max_length=64,
        blank=True,
        help_text="Learners who give it join a private challenge; empty: no invite link",
    )
    hosts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="hosted_challenges",
        help_text="Users who manage this challenge (besides the superusers)",
    )
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
    featured_order = models.PositiveIntegerField(
        default=100, help_text="Order within a level in the challenge list: the first to take comes first"
    )
    insight_enabled = models.BooleanField(
        default=True,
        help_text="Show learners where their predictions go wrong on the Public rows (confusion matrix, errors)",
    )

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_at", "title"]
        # Granted through the "Hosts" group (python manage.py grant_host USERNAME) or in the admin.
        permissions = [("host_challenges", "Can create challenges and manage the ones they host")]
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


class Admission(models.Model):
    """A learner admitted to a private challenge: who joined, when and how. Public and unlisted challenges
    admit everyone and record nothing here."""

    class Via(models.TextChoices):
        INVITE = "invite", "Invite code or link"
        EMAIL = "email", "Allowed e-mail address or domain"
        HOST = "host", "Added by a host"

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="admissions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="admissions")
    via = models.CharField(max_length=10, choices=Via.choices)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["challenge", "joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "user"], name="admission_unique_learner"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.challenge}"


class AllowedEmail(models.Model):
    """A learner whose verified e-mail is `address`, or ends with it when it starts with @ (a whole domain), may
    join a private challenge without its invite code."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="allowed_emails")
    address = models.CharField(max_length=254, help_text="ada@example.org, or @university.edu for a domain")

    class Meta:
        ordering = ["challenge", "address"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "address"], name="allowed_email_unique"),
        ]

    def __str__(self) -> str:
        return self.address


class LimitOverride(models.Model):
    """Own limits in one challenge, set by its hosts, for one learner ("Ada may submit 20 a day") or one team
    ("Team X may submit 20 a day"), and an own deadline (a late submission). Exactly one of `user` and
    `participant` is set. Empty fields keep the challenge's; where a learner has their own and their team has one
    too, the learner's own fields win (projects.selectors.limit_override_of, the one reading of the rule)."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="limit_overrides")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="limit_overrides",
        null=True,
        blank=True,
    )
    # A team (submissions.Participant): a merged or dissolved team takes its override with it.
    participant = models.ForeignKey(
        "submissions.Participant",
        on_delete=models.CASCADE,
        related_name="limit_overrides",
        null=True,
        blank=True,
        verbose_name="team",
    )
    daily_limit = models.PositiveIntegerField(null=True, blank=True)
    total_limit = models.PositiveIntegerField(null=True, blank=True)
    end_at = models.DateTimeField(null=True, blank=True, help_text="This learner's or team's own deadline")
    note = models.CharField(max_length=300, blank=True, help_text="Why, for the roster")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["challenge", "user", "participant"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "user"],
                condition=models.Q(user__isnull=False),
                name="limit_override_unique_learner",
            ),
            models.UniqueConstraint(
                fields=["challenge", "participant"],
                condition=models.Q(participant__isnull=False),
                name="limit_override_unique_team",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, participant__isnull=True)
                | models.Q(user__isnull=True, participant__isnull=False),
                name="limit_override_learner_or_team",
            ),
        ]

    def __str__(self) -> str:
        return f"Limits of {self.user or self.participant} in {self.challenge}"
