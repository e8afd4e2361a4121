"""The pieces the builders share: the bundle writer, the face generator and the MNIST conversion."""

from __future__ import annotations

import importlib.util
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from PIL import Image

from projects.builtin import mnist
from projects.builtin.bundle_writer import PRACTICE_SCHEDULE, BundleWriter, public_private_usage
from projects.builtin.faces import age_cues, draw_face

REPOSITORY = Path(__file__).resolve().parents[3]


def load_converter():
    spec = importlib.util.spec_from_file_location("convert_mnist", REPOSITORY / "tools" / "convert_mnist.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_two_public_files_with_the_same_download_name_are_refused(tmp_path):
    writer = BundleWriter(tmp_path / "bundle")
    writer.add_csv("data/train.csv", pd.DataFrame({"a": [1]}), kind="train", description="x")
    with pytest.raises(ValueError, match="train.csv"):
        writer.add_csv("kaggle/train.csv", pd.DataFrame({"a": [1]}), kind="train", description="y")


def test_a_rebuild_starts_from_an_empty_folder(tmp_path):
    (tmp_path / "bundle" / "data").mkdir(parents=True)
    (tmp_path / "bundle" / "data" / "stale.csv").write_text("old")
    BundleWriter(tmp_path / "bundle")
    assert list((tmp_path / "bundle").iterdir()) == []


def test_zips_are_identical_whenever_they_are_written(tmp_path):
    members = [("Images/a.png", b"\x89PNG fake"), ("notes.txt", b"hello " * 100)]
    first = BundleWriter(tmp_path / "one").write_zip("data/images.zip", members).read_bytes()
    second = BundleWriter(tmp_path / "two").write_zip("data/images.zip", members).read_bytes()
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert [info.date_time for info in archive.infolist()] == [(1980, 1, 1, 0, 0, 0)] * 2
        assert [info.compress_type for info in archive.infolist()] == [
            zipfile.ZIP_STORED,
            zipfile.ZIP_DEFLATED,
        ]


def test_manifest_lists_public_files_before_the_solution_and_writes_the_start_as_utc(tmp_path):
    writer = BundleWriter(tmp_path / "bundle")
    writer.add_csv("data/test.csv", pd.DataFrame({"id": [1]}), kind="test", description="the test rows")
    path = writer.write_manifest({"slug": "x", **PRACTICE_SCHEDULE, "solution": "solution/solution.csv"})
    text = path.read_text()
    assert "start: 2026-01-01T00:00:00Z\n" in text
    assert list(yaml.safe_load(text))[-2:] == ["files", "solution"]
    assert yaml.safe_load(text)["files"] == [
        {"path": "data/test.csv", "kind": "test", "description": "the test rows"}
    ]


def test_usage_marks_exactly_the_public_fraction_and_depends_only_on_the_seed():
    usage = public_private_usage(1001, seed=7)
    assert (usage == "Public").sum() == 400
    assert list(usage) == list(public_private_usage(1001, seed=7))
    assert list(usage) != list(public_private_usage(1001, seed=8))


def test_a_face_depends_only_on_its_age_and_generator():
    first = draw_face(40.0, np.random.default_rng([1, 2]))
    assert first == draw_face(40.0, np.random.default_rng([1, 2]))
    assert first != draw_face(40.0, np.random.default_rng([1, 3]))
    image = Image.open(io.BytesIO(first))
    assert (image.format, image.size, image.mode) == ("JPEG", (64, 64), "RGB")


def test_signs_of_age_grow_with_age_but_vary_between_people():
    rng = np.random.default_rng(0)

    def mean_cues(age: float) -> np.ndarray:
        cues = [age_cues(age, is_man=True, rng=rng) for _ in range(400)]
        return np.array([[cue.grey, cue.recession, cue.lines] for cue in cues]).mean(axis=0)

    young, middle, old = mean_cues(22), mean_cues(40), mean_cues(68)
    assert (young < middle).all() and (middle < old).all()
    spread = [age_cues(45, is_man=True, rng=rng).lines for _ in range(100)]
    assert np.std(spread) > 0.03, "people of one age must not all look alike"


def test_the_committed_mnist_subset_holds_10000_labelled_28x28_digits():
    images, labels = mnist.load_mnist()
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels, minlength=10).tolist() == [
        1001,
        1127,
        991,
        1032,
        980,
        863,
        1014,
        1070,
        944,
        978,
    ]
    assert images.max() == 255 and images[:, 0, :].max() == 0  # ink on a blank border, as in MNIST


def test_the_converter_recovers_the_packages_8_bit_pixels_exactly(tmp_path):
    converter = load_converter()
    package = tmp_path / "package"
    (package / "src" / "digits").mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": "mnist", "license": "MIT"}))
    rng = np.random.default_rng(0)
    originals = rng.integers(0, 256, (10, 2, 28, 28), dtype=np.uint8)
    for digit in range(10):
        # The package stores value/255 rounded to three decimals.
        values = np.round(originals[digit].ravel() / 255, 3).tolist()
        (package / "src" / "digits" / f"{digit}.json").write_text(json.dumps({"data": values}))

    images, labels = converter.read_package(package)
    assert np.array_equal(images, originals.reshape(20, 28, 28))
    assert labels.tolist() == [digit for digit in range(10) for _ in range(2)]

    output = tmp_path / "out.npz"
    converter.write_npz(output, {"images": images, "labels": labels})
    first = output.read_bytes()
    converter.write_npz(output, {"images": images, "labels": labels})
    assert output.read_bytes() == first
    with np.load(output) as stored:
        assert np.array_equal(stored["images"], images)


def test_the_converter_refuses_a_package_that_is_not_mnist(tmp_path):
    (tmp_path / "package.json").write_text(json.dumps({"name": "something-else", "license": "MIT"}))
    with pytest.raises(SystemExit, match="mnist"):
        load_converter().read_package(tmp_path)


def test_a_failing_starter_kit_fails_the_build_with_its_error(tmp_path, monkeypatch):
    kits = tmp_path / "kits"
    kits.mkdir()
    (kits / "broken.py").write_text("raise SystemExit('no train.csv here')\n")
    monkeypatch.setattr("projects.builtin.bundle_writer.STARTER_KITS_DIR", kits)
    writer = BundleWriter(tmp_path / "bundle")
    writer.add_starter_kit("broken")
    with pytest.raises(RuntimeError, match="no train.csv here"):
        writer.run_starter_kit()
