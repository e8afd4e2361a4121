"""Pages of challenges and datasets, and the public file download."""

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


@require_GET
def dataset_list(request: HttpRequest) -> HttpResponse:
    return render(request, "projects/dataset_list.html", {"datasets": datasets_all()})
