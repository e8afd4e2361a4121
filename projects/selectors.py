"""Reads of challenges and datasets."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from hub.storage import ChecksumMismatch, local_copy
from workers.scoring import ScoringSpec, SolutionError, load_solution
from workers.scoring import Solution as ParsedSolution

from .models import Challenge, DataFile, Dataset, Solution
from .scoring_spec import scoring_spec_for


def challenges_published(*, level: str | None = None, status: str | None = None) -> QuerySet[Challenge]:
    """Published challenges; `status` is one of upcoming, open, ended."""
    challenges = Challenge.objects.filter(is_published=True).select_related("dataset")
    if level:
        challenges = challenges.filter(level=level)
    now = timezone.now()
    if status == "upcoming":
        challenges = challenges.filter(start_at__gt=now)
    elif status == "open":
        challenges = challenges.filter(start_at__lte=now).exclude(end_at__lte=now)
    elif status == "ended":
        challenges = challenges.filter(end_at__lte=now)
    return challenges


def challenge_get_published(*, slug: str) -> Challenge:
    try:
        return Challenge.objects.select_related("dataset").get(slug=slug, is_published=True)
    except Challenge.DoesNotExist:
        raise Http404(f"There is no challenge '{slug}'. The list is at /api/v1/challenges/.") from None


def challenge_get_published_by_id(*, challenge_id: int) -> Challenge:
    """challenge_get_published for clients that name a challenge by its number (the EvalAI CLI)."""
    challenge = challenges_published().filter(pk=challenge_id).first()
    if challenge is None:
        raise Http404(f"There is no challenge {challenge_id}.")
    return challenge


def challenge_status(challenge: Challenge) -> str:
    now = timezone.now()
    if challenge.start_at > now:
        return "upcoming"
    if challenge.end_at is not None and challenge.end_at <= now:
        return "ended"
    return "open"


def challenge_private_visible(challenge: Challenge) -> bool:
    """Private scores stay hidden, from everyone, until the challenge ends or the host reveals them."""
    return challenge.private_revealed or challenge_status(challenge) == "ended"


def challenge_data_files(challenge: Challenge) -> QuerySet[DataFile]:
    return DataFile.objects.filter(dataset_id=challenge.dataset_id).order_by("position", "name")


def data_file_get(*, challenge: Challenge, name: str) -> DataFile:
    if "\x00" in name:  # no file has one, and PostgreSQL refuses the query instead of finding nothing
        raise Http404(f"Challenge '{challenge.slug}' has no such file.")
    try:
        return challenge_data_files(challenge).get(name=name)
    except DataFile.DoesNotExist:
        raise Http404(f"Challenge '{challenge.slug}' has no file '{name}'.") from None


def datasets_all() -> QuerySet[Dataset]:
    return Dataset.objects.prefetch_related("files", "challenges")


def challenge_scoring_spec(challenge: Challenge) -> ScoringSpec:
    test_files = (
        challenge_data_files(challenge).filter(kind=DataFile.Kind.TEST).values_list("name", flat=True)
    )
    return scoring_spec_for(challenge, test_file_name=test_files.first() or "test.csv")


def challenge_solution(challenge: Challenge) -> ParsedSolution:
    """The challenge's hidden solution, parsed (from this process's cache when it was parsed before), for scoring.

    Every way the hub's side can keep a challenge from being scored raises SolutionError, with a message for the
    hosts naming the challenge and the file: no solution, a spec the engine refuses, a stored file that is gone,
    unreadable or not the one imported. Retrying cannot fix any of them.
    """
    try:
        stored = challenge.solution
    except Solution.DoesNotExist:
        raise SolutionError(
            f"Challenge {challenge.slug} has no hidden solution: import its bundle again."
        ) from None
    try:
        spec = challenge_scoring_spec(challenge)
        with local_copy(stored.file, sha256=stored.sha256) as path:
            return load_solution(path, spec, sha256=stored.sha256)
    except SolutionError as error:
        raise SolutionError(f"Challenge {challenge.slug}: {error.message}") from error
    except FileNotFoundError as error:  # from a remote storage: the object is gone from the bucket
        raise SolutionError(
            f"Challenge {challenge.slug}: the hidden solution file {stored.file.name} is missing from storage "
            f"({error})."
        ) from error
    except ChecksumMismatch as error:
        raise SolutionError(
            f"Challenge {challenge.slug}: {error} It was changed or damaged in storage."
        ) from error


def data_file_preview_image(*, challenge: Challenge, name: str, index: int) -> tuple[DataFile, dict]:
    """One thumbnail stored in a challenge's public file's preview: only what the preview holds, never a stored
    file."""
    data_file = challenge_data_files(challenge).filter(name=name).only("sha256", "preview").first()
    images = (data_file.preview.get("images") or []) if data_file is not None else []
    # Only the two types previews.py writes: a preview edited by hand can never serve a page or a script.
    if not 0 <= index < len(images) or images[index].get("mime") not in ("image/png", "image/jpeg"):
        raise Http404(f"Challenge '{challenge.slug}' has no preview image {index} of '{name}'.")
    return data_file, images[index]


def challenge_split_sizes(challenge: Challenge) -> dict[str, int] | None:
    """How many test rows score the public and the private leaderboard (which rows is never shown)."""
    solution = Solution.objects.filter(challenge=challenge).only("rows", "public_rows").first()
    if solution is None or not solution.rows:
        return None
    return {
        "total": solution.rows,
        "public": solution.public_rows,
        "private": solution.rows - solution.public_rows,
        "percent": round(100 * solution.public_rows / solution.rows),
    }
