"""Reads of published datasets. One rule of who sees what, used by the pages, the REST API and the Kaggle protocol:
a public dataset that no moderator hid is everyone's to see; any other only its owner's. To anyone else it does not
exist (404), so its name is never confirmed."""

from __future__ import annotations

from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from .models import Challenge, Dataset, DatasetFile, DatasetVersion

SORTS = {"recent": "-updated_at", "downloads": "-downloads"}


def _visible_to(user) -> Q:
    """Public and not hidden, and released: a bundle's dataset whose challenges are all unpublished is not shown
    before its challenge is."""
    used = Exists(Challenge.objects.filter(dataset=OuterRef("pk")))
    released = Exists(Challenge.objects.filter(dataset=OuterRef("pk"), is_published=True))
    visible = Q(visibility=Dataset.Visibility.PUBLIC, is_hidden=False) & (~used | released)
    if user is not None and user.is_authenticated:
        visible |= Q(owner=user)
    return visible


def datasets_visible(
    *, user, q: str | None = None, tag: str | None = None, owner: str | None = None, sort: str = "recent"
) -> QuerySet[Dataset]:
    """Datasets with at least one version that `user` may see, with `downloads` (all versions) and `latest_number`."""
    datasets = Dataset.objects.filter(_visible_to(user))
    if q:
        datasets = datasets.filter(Q(title__icontains=q) | Q(subtitle__icontains=q) | Q(slug__icontains=q))
    if tag:
        datasets = datasets.filter(
            pk__in=Dataset.tags.through.objects.filter(tag__name=tag).values("dataset_id")
        )
    if owner:
        datasets = datasets.filter(owner__username=owner)
    return (
        datasets.annotate(downloads=Sum("versions__download_count"), latest_number=Max("versions__number"))
        .filter(latest_number__isnull=False)
        .select_related("owner")
        .prefetch_related("tags")
        .order_by(SORTS.get(sort, SORTS["recent"]), "pk")
    )


def dataset_get_visible(*, user, owner: str, slug: str) -> Dataset:
    dataset = (
        Dataset.objects.filter(_visible_to(user), owner__username=owner, slug=slug)
        .select_related("owner")
        .prefetch_related("tags")
        .first()
    )
    if dataset is None:
        raise Http404(
            f"There is no dataset '{owner}/{slug}'. The list is at /datasets/ and /api/v1/datasets/."
        )
    return dataset


def dataset_versions(dataset: Dataset) -> QuerySet[DatasetVersion]:
    """Newest first, each with its files and their blobs."""
    files = DatasetFile.objects.select_related("blob").order_by("position", "name")
    return dataset.versions.order_by("-number").prefetch_related(Prefetch("files", queryset=files))


def dataset_version_get(*, dataset: Dataset, number: int | None = None) -> DatasetVersion:
    """Version `number`, or the latest when it is None."""
    versions = dataset_versions(dataset)
    version = versions.first() if number is None else versions.filter(number=number).first()
    if version is None:
        raise Http404(f"Dataset '{dataset.owner.username}/{dataset.slug}' has no version {number}.")
    version.dataset = dataset
    return version


def dataset_file_get(*, version: DatasetVersion, name: str) -> DatasetFile:
    listed = next((f for f in version.files.all() if f.name == name), None)
    if listed is None:
        raise Http404(f"Version {version.number} of this dataset has no file '{name[:200]}'.")
    return listed


def dataset_file_preview_image(*, listed: DatasetFile, index: int) -> dict:
    """One thumbnail stored in a listed file's preview: never a stored file."""
    images = listed.blob.preview.get("images") or []
    if not 0 <= index < len(images) or images[index].get("mime") not in ("image/png", "image/jpeg"):
        raise Http404(f"'{listed.name}' has no preview image {index}.")
    return images[index]
