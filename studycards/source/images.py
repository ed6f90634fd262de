"""Images are checked when they are read, and made no larger than print and Anki need.

A card's image is decoded once here, with Pillow (which ReportLab uses as well): a damaged,
empty or disguised file is refused at the card's `image:` line instead of failing inside a
writer, and an image above MAX_PIXELS is refused before it is decoded, so that a 20000 x 20000
pixel file cannot take gigabytes of memory. Images with a side longer than LONGEST_SIDE are
scaled down once (a flashcard is 95 mm wide: 2000 pixels print at over 500 dpi there, and
fill a phone screen), so every writer gets small data.
"""
from __future__ import annotations

import io
import warnings


MAX_PIXELS = 40_000_000  # 40 megapixels, e.g. 8000 x 5000: more than any camera picture needs
LONGEST_SIDE = 2000  # pixels
FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "GIF": "GIF"}
# Modes that ReportLab and browsers both draw as they are; others (16-bit, float) are
# converted to 8-bit RGBA.
_PLAIN_MODES = {"1", "L", "LA", "P", "RGB", "RGBA", "CMYK"}


class ImageProblem(Exception):
    """Why an image cannot be used, worded for the user."""


def prepare(data: bytes) -> bytes:
    """The image's data as the outputs should carry it, or ImageProblem."""
    if not data:
        raise ImageProblem("the file is empty")
    from PIL import Image, UnidentifiedImageError  # only for decks with images

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
        try:  # reads the header only; the size is checked below, before any decoding
            image = Image.open(io.BytesIO(data))
        except UnidentifiedImageError:
            raise ImageProblem("it is not a PNG, JPEG or GIF image (or the file is damaged)")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageProblem(_too_large_message(None))
        except (OSError, SyntaxError, ValueError, EOFError) as err:
            raise ImageProblem(f"the file is damaged ({err})")
        finally:
            Image.MAX_IMAGE_PIXELS = limit
        if image.format not in FORMATS:
            raise ImageProblem(f"it is a {image.format} image; use PNG, JPEG or GIF")
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise ImageProblem(_too_large_message(image.size))
        if width < 1 or height < 1:
            raise ImageProblem("the image has no pixels")
        try:
            image.load()  # decode all of it: a truncated file fails here, not in a writer
        except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError,
                Image.DecompressionBombWarning) as err:
            raise ImageProblem(f"the file is damaged ({err})")
    if max(width, height) <= LONGEST_SIDE and image.mode in _PLAIN_MODES:
        return data
    return _scaled(image)


def _too_large_message(size) -> str:
    what = f"{size[0]} x {size[1]} pixels" if size else "too many pixels"
    return (f"the image is too large ({what}); at most {MAX_PIXELS // 1_000_000} megapixels "
            f"are read, and {LONGEST_SIDE} pixels on the longest side are used: scale it down")


def _scaled(image: "Image.Image") -> bytes:
    from PIL import Image

    fmt = image.format
    if fmt == "GIF" and getattr(image, "is_animated", False):
        raise ImageProblem(f"an animated GIF larger than {LONGEST_SIDE} pixels on a side: "
                           "scale it down (only still images are scaled by the build)")
    if image.mode not in ("RGB", "L", "RGBA", "CMYK") or fmt == "GIF":
        image = image.convert("RGBA" if fmt != "JPEG" else "RGB")
    if max(image.size) > LONGEST_SIDE:
        image.thumbnail((LONGEST_SIDE, LONGEST_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=90)
    elif fmt == "GIF":
        image.convert("P", palette=Image.Palette.ADAPTIVE).save(out, "GIF")
    else:
        image.save(out, "PNG")
    return out.getvalue()
