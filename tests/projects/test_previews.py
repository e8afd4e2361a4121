"""Previews of public files: computed at import by a pure module, stored on DataFile, filled in on re-import."""

import base64
import io
import zipfile

import pytest
import yaml
from PIL import Image

from projects.bundles import BundleError
from projects.models import DataFile
from projects.previews import HISTOGRAM_BINS, MAX_COLUMNS, THUMBNAIL_PIXELS, PreviewMaker, csv_preview
from projects.services import challenge_import_bundle
from tests.bundles import write_bundle
from tests.images import jpeg_bytes, png_bytes


def test_a_csv_preview_has_its_first_rows_and_counts(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text("id,feature,label\n" + "".join(f"{i},{i * 2},{'ab'[i % 2]}\n" for i in range(12)))

    preview = csv_preview(path, target_column="label")

    assert preview["columns"] == ["id", "feature", "label"]
    assert preview["rows"][:2] == [["0", "0", "a"], ["1", "2", "b"]]
    assert len(preview["rows"]) == 5
    assert (preview["row_count"], preview["column_count"], preview["more_columns"]) == (12, 3, 0)
    assert preview["balance"] == {
        "type": "counts",
        "column": "label",
        "counts": [["a", 6], ["b", 6]],
        "total": 12,
    }


def test_a_wide_csv_shows_its_first_columns_and_the_target_last(tmp_path):
    names = [f"f{i}" for i in range(30)]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(["id", *names, "target"]) + "\n" + ",".join(["1"] + ["0"] * 30 + ["yes"]) + "\n")

    preview = csv_preview(path, target_column="target")

    assert len(preview["columns"]) == MAX_COLUMNS + 1
    assert preview["columns"][-2:] == ["…", "target"]
    assert preview["rows"][0][-1] == "yes"
    assert preview["more_columns"] == 32 - MAX_COLUMNS


def test_labels_are_counted_in_natural_order_and_a_numeric_target_becomes_a_histogram(tmp_path):
    digits = tmp_path / "digits.csv"
    digits.write_text("id,Label\n" + "".join(f"{i},{i % 11}\n" for i in range(110)))
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("id,y\n" + "".join(f"{i},{i * 1.5}\n" for i in range(200)))

    counted = csv_preview(digits, target_column="label")["balance"]
    histogram = csv_preview(numbers, target_column="y")["balance"]

    assert [label for label, _ in counted["counts"]] == [str(n) for n in range(11)]
    assert histogram["type"] == "histogram" and len(histogram["bins"]) == HISTOGRAM_BINS
    assert sum(b["count"] for b in histogram["bins"]) == 200


def test_an_image_zip_gets_a_labelled_gallery_of_small_thumbnails_with_every_label(tmp_path):
    train = tmp_path / "train.csv"
    train.write_text("filename,label\n" + "".join(f"{i}.png,{i % 3}\n" for i in range(30)))
    archive = tmp_path / "images.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(30):
            zf.writestr(f"Images/train/{i}.png", png_bytes(i * 8))
        zf.writestr("Images/test/99.jpg", jpeg_bytes(200))
        zf.writestr("README.txt", "not an image")

    preview = PreviewMaker([train], id_column="filename", target_column="label").preview(
        archive, kind="images"
    )

    assert (preview["type"], preview["entry_count"], preview["image_count"]) == ("archive", 32, 31)
    assert sorted({image["label"] for image in preview["images"]}) == ["0", "1", "2"]
    first = preview["images"][0]
    with Image.open(io.BytesIO(base64.b64decode(first["data"]))) as image:
        assert image.size == (28, 28) and first["mime"] == "image/png"


def test_a_large_colour_image_is_shrunk_to_a_thumbnail(tmp_path):
    archive = tmp_path / "faces.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Test/1.jpg", jpeg_bytes(300))

    image = PreviewMaker([]).preview(archive)["images"][0]

    assert (image["width"], image["height"], image["mime"]) == (
        THUMBNAIL_PIXELS,
        THUMBNAIL_PIXELS,
        "image/jpeg",
    )
    assert image["label"] == ""


def test_a_file_that_cannot_be_read_gets_a_reason_instead_of_failing_the_import(tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"")
    other = tmp_path / "notes.bin"
    other.write_bytes(b"\x00\x01")

    assert PreviewMaker([]).preview(broken)["type"] == "unavailable"
    assert PreviewMaker([]).preview(other) == {
        "type": "unavailable",
        "reason": "No preview for this kind of file.",
    }


def test_only_training_files_get_a_class_balance(tmp_path):
    sample = tmp_path / "sample_submission.csv"
    sample.write_text("id,label\n1,a\n2,a\n")

    preview = PreviewMaker([], target_column="label").preview(sample, kind="sample_submission")

    assert "balance" not in preview and preview["row_count"] == 2


@pytest.mark.django_db
def test_import_stores_previews_and_a_later_import_fills_missing_ones(tmp_path):
    folder = write_bundle(tmp_path / "bundle")
    challenge = challenge_import_bundle(folder).challenge
    train = DataFile.objects.get(dataset=challenge.dataset, name="train.csv")
    assert train.preview["balance"]["counts"] == [["a", 5]]

    DataFile.objects.filter(dataset=challenge.dataset).update(preview={})
    challenge_import_bundle(folder)

    previews = dict(DataFile.objects.filter(dataset=challenge.dataset).values_list("name", "preview"))
    assert all(p["type"] == "table" for p in previews.values())
    assert previews["test.csv"]["row_count"] == 20


@pytest.mark.django_db
def test_the_synthetic_flag_follows_the_bundle_and_must_be_a_boolean(tmp_path):
    folder = write_bundle(tmp_path / "bundle", dataset={"slug": "fake", "title": "Fake", "synthetic": True})
    assert challenge_import_bundle(folder).challenge.dataset.is_synthetic

    manifest = yaml.safe_load((folder / "challenge.yaml").read_text())
    manifest["dataset"]["synthetic"] = "sometimes"
    (folder / "challenge.yaml").write_text(yaml.safe_dump(manifest))
    with pytest.raises(BundleError, match="synthetic must be true or false"):
        challenge_import_bundle(folder)
