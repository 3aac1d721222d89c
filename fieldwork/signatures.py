"""The customer's signature drawn on the technician's phone: a PNG, checked by its content (the format,
the size on disk and in pixels, some ink on it), kept in the file storage (core.storage) under a random
name beside the photos, so that any web worker on any host can show it."""
from __future__ import annotations

import io
import secrets

from PIL import Image, ImageOps, UnidentifiedImageError

from core.i18n import gettext as _
from core.storage import FileStorage, StoredFileMissing

MAX_SIGNATURE_BYTES = 200 * 1024
MAX_SIDE = 2400  # a phone screen at 3x is about 1200 pixels across; more is not a signature
SIGNATURE_DIR = "signatures"


class SignatureRejected(ValueError):
    pass


def check_signature(data: bytes) -> tuple[int, int]:
    """(width, height) of a signature PNG with something drawn on it, or SignatureRejected with the reason."""
    if not data:
        raise SignatureRejected(_("Ask the customer to sign in the box."))
    if len(data) > MAX_SIGNATURE_BYTES:
        raise SignatureRejected(_("The signature image is too large (at most %(kb)s KB).", kb=MAX_SIGNATURE_BYTES // 1024))
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            if kind != "PNG":
                raise SignatureRejected(_("The signature must be a PNG image."))
            if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
                raise SignatureRejected(_("The signature image is too large (at most %(px)s pixels a side).", px=MAX_SIDE))
            image.load()
            blank = _is_blank(image)
    except SignatureRejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as error:
        raise SignatureRejected(_("The signature must be a PNG image.")) from error
    if blank:
        raise SignatureRejected(_("Ask the customer to sign in the box."))
    return width, height


def _is_blank(image: Image.Image) -> bool:
    """No stroke on it: every pixel transparent or near white once laid on white paper."""
    rgba = image.convert("RGBA")
    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    grey = Image.alpha_composite(paper, rgba).convert("L")
    ink = ImageOps.invert(grey).point(lambda value: 255 if value > 60 else 0)
    return ink.getbbox() is None


def new_signature_name() -> str:
    return secrets.token_urlsafe(24) + ".png"


def signature_key(stored_name: str) -> str:
    """The storage key of a signature (the folder signatures were kept in before the storage interface)."""
    return f"{SIGNATURE_DIR}/{stored_name}"


def store_signature(storage: FileStorage, stored_name: str, data: bytes) -> None:
    storage.put(signature_key(stored_name), data, "image/png")


def signature_bytes(storage: FileStorage, stored_name: str) -> bytes | None:
    """The stored signature, or None when it is gone."""
    try:
        return storage.get(signature_key(stored_name))
    except StoredFileMissing:
        return None
