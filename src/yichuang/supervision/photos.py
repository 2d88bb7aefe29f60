"""Photos of inspection findings: JPEG or PNG only, at most ``MAX_BYTES``,
re-encoded with Pillow (which drops whatever rode along in the file: EXIF
with the phone's location, trailing data, a script disguised as an image)
and stored encrypted with the data key under ``MEDIA_ROOT/supervision/``,
as the vault stores scans."""

from __future__ import annotations

import base64
import io
import secrets
import warnings
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from yichuang.lib.crypto import decrypt, encrypt
from yichuang.lib.errors import Unprocessable

SUBDIR = "supervision"
MAX_BYTES = 5 * 1024 * 1024
# A decoded photo larger than this (a phone's 12 MP is ~4000 × 3000) is refused
# rather than decoded: a small file may hold a huge image (a decompression bomb).
MAX_PIXELS = 40_000_000
# The longest side kept: enough to read a badge or a notice on the wall.
MAX_SIDE = 2048
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}


def _refuse(message: str) -> Unprocessable:
    return Unprocessable("supervision.bad_photo", message, max_bytes=MAX_BYTES)


def reencode(content: bytes) -> tuple[bytes, str]:
    """``content`` checked and re-encoded: (bytes, content type). Refuses (422
    ``supervision.bad_photo``) anything that is not a JPEG or PNG image within
    the limits."""
    if not content:
        raise _refuse(_("照片为空。"))
    if len(content) > MAX_BYTES:
        raise _refuse(_("照片不能超过 %(mb)d MB。") % {"mb": MAX_BYTES // (1024 * 1024)})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(content))
            fmt = opened.format
            if fmt not in FORMATS:
                raise _refuse(_("照片只接受 JPEG 或 PNG 格式。"))
            width, height = opened.size
            if width * height > MAX_PIXELS:
                raise _refuse(_("照片像素过大。"))
            opened.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ):
        raise _refuse(_("照片只接受 JPEG 或 PNG 格式。")) from None
    image: Image.Image = ImageOps.exif_transpose(opened)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, format="JPEG", quality=85)
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(out, format="PNG", optimize=True)
    return out.getvalue(), FORMATS[fmt]


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / SUBDIR


def store(content: bytes) -> str:
    """Write re-encoded photo bytes encrypted; the path relative to MEDIA_ROOT."""
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.enc"
    (root / name).write_text(encrypt(base64.b64encode(content).decode("ascii")), encoding="ascii")
    return f"{SUBDIR}/{name}"


def read(relative: str) -> bytes:
    path = Path(settings.MEDIA_ROOT) / relative
    if path.parent.resolve() != _root().resolve():
        raise ValueError("not a supervision photo")
    return base64.b64decode(decrypt(path.read_text(encoding="ascii")))
