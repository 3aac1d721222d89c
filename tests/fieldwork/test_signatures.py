"""The customer's signature is checked by its content: a PNG, bounded in bytes and pixels, with ink on it."""
from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from fieldwork.signatures import MAX_SIGNATURE_BYTES, SignatureRejected, check_signature


def _png(size=(600, 240), *, ink=True, mode="RGBA", kind="PNG") -> bytes:
    image = Image.new(mode, size, (0, 0, 0, 0) if mode == "RGBA" else (255, 255, 255))
    if ink:
        ImageDraw.Draw(image).line([(20, 200), (300, 40), (580, 200)], fill=(10, 10, 10), width=4)
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()


def test_a_drawn_signature_is_taken():
    assert check_signature(_png()) == (600, 240)
    assert check_signature(_png(mode="RGB")) == (600, 240)  # drawn on white instead of transparent


@pytest.mark.parametrize("data", [
    b"", b"not an image", _png(kind="JPEG", mode="RGB"), _png(kind="GIF", mode="RGB"), _png()[:200],
    _png(ink=False), _png(ink=False, mode="RGB"), _png(size=(2401, 100)),
    b"\x89PNG\r\n\x1a\n" + b"\0" * 100,
])
def test_anything_else_is_refused(data):
    with pytest.raises(SignatureRejected):
        check_signature(data)


def test_a_signature_over_the_byte_limit_is_refused_before_it_is_decoded():
    with pytest.raises(SignatureRejected, match="too large"):
        check_signature(_png() + b"\0" * MAX_SIGNATURE_BYTES)
