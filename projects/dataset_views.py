"""Pages of published datasets: the list, a dataset with its versions, publishing, reporting, and their downloads."""

from __future__ import annotations

import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from hub.forms import refusal_page

from .dataset_downloads import dataset_file_response, dataset_zip_response
from .dataset_selectors import (
    dataset_file_get,
    dataset_file_preview_image,
    dataset_get_visible,
    dataset_version_get,
    dataset_versions,
    datasets_visible,
)
from .dataset_services import dataset_report, quota_used
from .errors import DatasetError
from .models import Dataset, Licence, Tag
from .selectors import challenges_listed
from .views import preview_context

# Refusals of datasets (projects/errors.py) as a page with the reason, in the status the API gives them.
dataset_refusal_page = refusal_page(DatasetError)


def _quota(user) -> dict | None:
    if not user.is_authenticated:
        return None
    used, quota = quota_used(user), settings.HUB_DATASET_QUOTA_BYTES
    return {"used": used, "quota": quota, "percent": min(100, round(100 * used / quota)) if quota else 100}


@require_GET
def dataset_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    tag = request.GET.get("tag", "").strip()[:50]
    sort = request.GET.get("sort", "recent")
    datasets = list(datasets_visible(user=request.user, q=q or None, tag=tag or None, sort=sort)[:100])
    tags = Tag.objects.filter(
        datasets__visibility=Dataset.Visibility.PUBLIC, datasets__is_hidden=False
    ).distinct()
    context = {
        "datasets": datasets,
        "tags": tags,
        "q": q,
        "tag": tag,
        "sort": sort if sort in ("recent", "downloads") else "recent",
        "nav": "datasets",
    }
    return render(request, "projects/dataset_list.html", context)


def _version_files(dataset: Dataset, version) -> list:
    files = list(version.files.all())
    for listed in files:
        args = [dataset.owner.username, dataset.slug, version.number, listed.name]
        listed.download_href = reverse("dataset-file-download", args=args)
        listed.image_base = reverse("dataset-file-image", args=[*args, 0])[:-1]
    return files


@require_GET
def dataset_detail(request: HttpRequest, owner: str, dataset_slug: str) -> HttpResponse:
    dataset = dataset_get_visible(user=request.user, owner=owner, slug=dataset_slug)
    versions = list(dataset_versions(dataset))
    if not versions:
        raise Http404("This dataset has no version yet.")
    wanted = request.GET.get("version", "")
    version = next((v for v in versions if str(v.number) == wanted), versions[0])
    files = _version_files(dataset, version)
    context = preview_context(files) | {
        "dataset": dataset,
        "versions": versions,
        "version": version,
        "is_owner": request.user.is_authenticated and request.user.pk == dataset.owner_id,
        # Through the resolver: a draft's, a private or an unlisted challenge's name is not the page's to tell.
        "challenges": challenges_listed(viewer=request.user).filter(dataset=dataset).order_by("title"),
        "zip_href": reverse(
            "dataset-zip-download", args=[dataset.owner.username, dataset.slug, version.number]
        ),
        "quota": _quota(request.user) if request.user.pk == dataset.owner_id else None,
        "nav": "datasets",
    }
    return render(request, "projects/dataset_detail.html", context)


@login_required
@require_GET
def dataset_new(request: HttpRequest) -> HttpResponse:
    context = {
        "licences": Licence.choices,
        "quota": _quota(request.user),
        "max_file_bytes": settings.HUB_DATASET_MAX_FILE_BYTES,
        "max_files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
        "nav": "datasets",
    }
    return render(request, "projects/dataset_new.html", context)


@login_required
@require_GET
def dataset_new_version(request: HttpRequest, owner: str, dataset_slug: str) -> HttpResponse:
    dataset = dataset_get_visible(user=request.user, owner=owner, slug=dataset_slug)
    if dataset.owner_id != request.user.pk:
        raise Http404("Only the dataset's owner can publish a new version of it.")
    latest = dataset_version_get(dataset=dataset)
    context = {
        "dataset": dataset,
        "latest": latest,
        "quota": _quota(request.user),
        "max_file_bytes": settings.HUB_DATASET_MAX_FILE_BYTES,
        "max_files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
        "nav": "datasets",
    }
    return render(request, "projects/dataset_new_version.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@dataset_refusal_page
def dataset_report_page(request: HttpRequest, owner: str, dataset_slug: str) -> HttpResponse:
    dataset = dataset_get_visible(user=request.user, owner=owner, slug=dataset_slug)
    if request.method == "POST":
        dataset_report(dataset=dataset, reporter=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, "Thank you: the moderators will look at your report.")
        return redirect("dataset-detail", dataset.owner.username, dataset.slug)
    return render(request, "projects/dataset_report.html", {"dataset": dataset, "nav": "datasets"})


@require_safe
def dataset_file_download(
    request: HttpRequest, owner: str, dataset_slug: str, number: int, name: str
) -> HttpResponse:
    dataset = dataset_get_visible(user=request.user, owner=owner, slug=dataset_slug)
    version = dataset_version_get(dataset=dataset, number=number)
    return dataset_file_response(request, dataset_file_get(version=version, name=name))


@require_safe
@dataset_refusal_page
def dataset_zip_download(request: HttpRequest, owner: str, dataset_slug: str, number: int) -> HttpResponse:
    dataset = dataset_get_visible(user=request.user, owner=owner, slug=dataset_slug)
    return dataset_zip_response(request, dataset_version_get(dataset=dataset, number=number))


@require_GET
def dataset_file_image(
    request: HttpRequest, owner: str, dataset_slug: str, number: int, name: str, index: int
) -> HttpResponse:
    """A gallery thumbnail from the stored preview; the same content always, so browsers may keep it a day."""
    dataset = dataset_get_visible(user=request.user, owner=owner, slug=dataset_slug)
    listed = dataset_file_get(version=dataset_version_get(dataset=dataset, number=number), name=name)
    image = dataset_file_preview_image(listed=listed, index=index)
    response = HttpResponse(base64.b64decode(image["data"]), content_type=image["mime"])
    # private: a private dataset's thumbnail must not be kept by a shared cache
    response["Cache-Control"] = "private, max-age=86400"
    response["ETag"] = f'"{listed.blob.sha256[:16]}-{index}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
