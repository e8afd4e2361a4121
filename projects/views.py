"""Pages of challenges and datasets, and the public file downloads."""

import base64
import hashlib
import shutil
import tempfile
import zipfile

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from hub.downloads import file_response
from hub.storage import signed_download_url
from submissions.leaderboard import leaderboard_split_visible, score_history, top_score_history
from submissions.models import LeaderboardEntry
from workers.scoring import METRICS

from .admissions import challenge_join
from .models import Challenge, DataFile, Visibility
from .selectors import (
    challenge_data_files,
    challenge_get_by_invite,
    challenge_get_visible,
    challenge_split_sizes,
    challenge_status,
    challenges_listed,
    data_file_get,
    data_file_preview_image,
)

LEVELS = ("beginner", "intermediate", "advanced")


def challenge_context(challenge: Challenge, tab: str) -> dict:
    """What every tab of a challenge page shows in its header."""
    return {
        "challenge": challenge,
        "tab": tab,
        "nav": "challenges",
        "status": challenge_status(challenge),
        "metric": METRICS[challenge.metric],
        # Whether the private board is shown: the header's tabs and the evaluation page say so.
        "private_visible": leaderboard_split_visible(challenge, LeaderboardEntry.Split.PRIVATE),
    }


def challenge_file_links(challenge: Challenge, files: list[DataFile]) -> list[DataFile]:
    """Each file's download and thumbnail addresses, under the challenge (the shared file table shows them)."""
    for data_file in files:
        data_file.download_href = reverse("data-file-download", args=[challenge.slug, data_file.name])
        data_file.image_base = reverse("data-file-image", args=[challenge.slug, data_file.name, 0])[:-1]
    return files


def preview_context(files: list) -> dict:
    """The parts of the files' stored previews a data page shows: galleries, the class balance, first rows."""
    return {
        "files": files,
        "galleries": [f for f in files if f.preview.get("images")],
        "balance_file": next(
            (f for f in files if f.kind == DataFile.Kind.TRAIN and f.preview.get("balance")), None
        ),
        "tables": [f for f in files if f.preview.get("type") == "table"],
        "total_size": sum(f.size for f in files),
    }


@require_GET
def challenge_list(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level") if request.GET.get("level") in LEVELS else None
    return render(
        request,
        "projects/challenge_list.html",
        {
            "challenges": challenges_listed(viewer=request.user, level=level),
            "level": level,
            "levels": LEVELS,
            "nav": "challenges",
        },
    )


@require_GET
def challenge_overview(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = challenge_get_visible(slug=slug, viewer=request.user)
    context = challenge_context(challenge, "overview")
    split = LeaderboardEntry.Split.PUBLIC
    context["top_history"] = top_score_history(challenge=challenge, split=split)
    context["my_history"] = score_history(challenge=challenge, user=request.user, split=split)
    return render(request, "projects/challenge_overview.html", context)


@require_GET
def challenge_data(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = challenge_get_visible(slug=slug, viewer=request.user)
    files = challenge_file_links(challenge, list(challenge_data_files(challenge)))
    context = challenge_context(challenge, "data") | preview_context(files)
    context |= {"dataset": challenge.dataset, "version": challenge.dataset_version}
    return render(request, "projects/challenge_data.html", context)


@require_GET
def challenge_evaluation(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = challenge_get_visible(slug=slug, viewer=request.user)
    context = challenge_context(challenge, "evaluation")
    samples = list(challenge_data_files(challenge).filter(kind=DataFile.Kind.SAMPLE_SUBMISSION))
    context |= {
        "extra_metrics": [METRICS[key] for key in challenge.extra_metrics if key in METRICS],
        "samples": samples,
        "split": challenge_split_sizes(challenge),
    }
    return render(request, "projects/challenge_evaluation.html", context)


@require_GET
def challenge_starter_kit(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = challenge_get_visible(slug=slug, viewer=request.user)
    context = challenge_context(challenge, "starter")
    context["file_name"] = starter_kit_file_name(challenge)
    return render(request, "projects/challenge_starter_kit.html", context)


def starter_kit_file_name(challenge: Challenge) -> str:
    # The name the built-in descriptions use ("python starter.py ...").
    return "starter.py"


@require_GET
def challenge_starter_kit_download(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = challenge_get_visible(slug=slug, viewer=request.user)
    response = HttpResponse(challenge.starter_kit, content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{starter_kit_file_name(challenge)}"'
    return response


@require_safe
def data_file_download(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    """Serve a listed public file, streamed, with Range for resuming and ETag (its sha256) for revalidating.
    Only DataFile rows are reachable: never a path from the URL.

    On S3 the hub sends a redirect to a signed address that expires instead (the bucket does Range itself), so
    large downloads never pass through a web process."""
    data_file = data_file_get(challenge=challenge_get_visible(slug=slug, viewer=request.user), name=name)
    url = signed_download_url(data_file.file, filename=data_file.name)
    if url is not None:
        response = HttpResponseRedirect(url)
        # The address expires: a cached redirect would outlive it.
        response["Cache-Control"] = "private, no-store"
        return response
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
    challenge = challenge_get_visible(slug=slug, viewer=request.user)
    files = list(challenge_data_files(challenge))
    archive = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response's stream, or below)
    try:
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
        digest = hashlib.file_digest(archive, "sha256")  # leaves the position at the end: the size
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
def data_file_image(request: HttpRequest, slug: str, name: str, index: int) -> HttpResponse:
    """A gallery thumbnail of a challenge's file, from the preview stored at import; cached by browsers until the
    file changes. Reached through the challenge, so a challenge on a private dataset still shows it."""
    challenge = challenge_get_visible(slug=slug, viewer=request.user)
    data_file, image = data_file_preview_image(challenge=challenge, name=name, index=index)
    response = HttpResponse(base64.b64decode(image["data"]), content_type=image["mime"])
    # A shared cache would hand a private or draft challenge's image to anyone asking its URL.
    open_to_all = challenge.is_published and challenge.visibility == Visibility.PUBLIC
    response["Cache-Control"] = f"{'public' if open_to_all else 'private'}, max-age=86400"
    response["ETag"] = f'"{data_file.sha256[:16]}-{index}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
def challenge_join_page(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """The invite link a host hands out: sign in (or sign up), then one button admits the learner. A wrong or
    rotated code is a 404, as for a challenge that does not exist."""
    challenge = challenge_get_by_invite(slug=slug, invite_code=code)
    if challenge is None:
        raise Http404(f"There is no challenge '{slug}', or this invite link was replaced by a new one.")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        challenge_join(user=request.user, slug=slug, invite_code=code)
        messages.success(request, f"You have joined {challenge.title}.")
        return redirect("challenge-detail", slug=challenge.slug)
    return render(request, "projects/challenge_join.html", {"challenge": challenge, "nav": "challenges"})
