"""Pages of challenges and datasets, and the public file downloads."""

import hashlib
import shutil
import tempfile
import zipfile

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_safe

from hub.downloads import file_response
from workers.scoring import METRICS

from .models import Challenge
from .selectors import (
    challenge_data_files,
    challenge_get_published,
    challenge_private_visible,
    challenge_status,
    challenges_published,
    data_file_get,
    datasets_all,
)


def challenge_context(challenge: Challenge, tab: str) -> dict:
    """What every tab of a challenge page shows in its header."""
    return {
        "challenge": challenge,
        "tab": tab,
        "status": challenge_status(challenge),
        "metric": METRICS[challenge.metric],
        "private_visible": challenge_private_visible(challenge),
    }


@require_GET
def challenge_list(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level") or None
    return render(
        request,
        "projects/challenge_list.html",
        {"challenges": challenges_published(level=level), "level": level},
    )


@require_GET
def challenge_overview(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = challenge_get_published(slug=slug)
    return render(request, "projects/challenge_overview.html", challenge_context(challenge, "overview"))


@require_GET
def challenge_data(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = challenge_get_published(slug=slug)
    context = challenge_context(challenge, "data")
    context["files"] = challenge_data_files(challenge)
    return render(request, "projects/challenge_data.html", context)


@require_GET
def challenge_evaluation(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = challenge_get_published(slug=slug)
    context = challenge_context(challenge, "evaluation")
    context["extra_metrics"] = [METRICS[key] for key in challenge.extra_metrics if key in METRICS]
    return render(request, "projects/challenge_evaluation.html", context)


@require_GET
def challenge_starter_kit(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = challenge_get_published(slug=slug)
    return render(request, "projects/challenge_starter_kit.html", challenge_context(challenge, "starter"))


@require_safe
def data_file_download(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    """Serve a listed public file, streamed, with Range for resuming and ETag (its sha256) for revalidating.
    Only DataFile rows are reachable: never a path from the URL."""
    data_file = data_file_get(challenge=challenge_get_published(slug=slug), name=name)
    return file_response(
        request,
        lambda: data_file.file.open("rb"),
        size=data_file.size,
        sha256=data_file.sha256,
        last_modified=data_file.updated_at,
        filename=data_file.name,
    )


# Formats that are compressed already: stored as they are in a zip, not deflated a second time.
_COMPRESSED_SUFFIXES = (".zip", ".gz", ".bz2", ".xz", ".npz", ".png", ".jpg", ".jpeg", ".parquet")


@require_safe
def challenge_data_zip(request: HttpRequest, slug: str) -> HttpResponse:
    """Every public file of a challenge in one zip, built in a temporary file and streamed from it like any file.

    The zip is the same bytes for the same files (fixed member dates and compression), so its sha256 is a strong
    ETag and an interrupted download resumes with Range.
    """
    challenge = challenge_get_published(slug=slug)
    files = list(challenge_data_files(challenge))
    archive = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response's stream, or below)
    try:
        digest = hashlib.sha256()
        with zipfile.ZipFile(archive, "w") as zipped:
            for data_file in files:
                member = zipfile.ZipInfo(data_file.name, date_time=data_file.updated_at.timetuple()[:6])
                compressed = data_file.name.lower().endswith(_COMPRESSED_SUFFIXES)
                member.compress_type = zipfile.ZIP_STORED if compressed else zipfile.ZIP_DEFLATED
                with (
                    data_file.file.open("rb") as source,
                    zipped.open(member, "w", force_zip64=True) as target,
                ):
                    shutil.copyfileobj(source, target, 1024 * 1024)
        archive.seek(0)
        while chunk := archive.read(1024 * 1024):
            digest.update(chunk)
        response = file_response(
            request,
            lambda: archive,
            size=archive.tell(),
            sha256=digest.hexdigest(),
            last_modified=max((data_file.updated_at for data_file in files), default=challenge.updated_at),
            filename=f"{challenge.slug}.zip",
        )
    except BaseException:
        archive.close()
        raise
    if not response.streaming:  # HEAD, 304, 416: no bytes sent, so the stream never closes it
        archive.close()
    return response


@require_GET
def dataset_list(request: HttpRequest) -> HttpResponse:
    return render(request, "projects/dataset_list.html", {"datasets": datasets_all()})
