"""Small images made in memory for tests of previews and galleries."""

import io

from PIL import Image


def png_bytes(grey: int, size: int = 28) -> bytes:
    """A square greyscale PNG of one shade, like an MNIST digit's file."""
    buffer = io.BytesIO()
    Image.new("L", (size, size), grey).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(size: int) -> bytes:
    """A square colour JPEG, like a photo."""
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (200, 120, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()
