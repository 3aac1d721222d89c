"""Printable QR labels: each code holds the appliance's full report URL.

A sheet is A4 at 200 dpi with 3 x 8 labels; PDF output has one page per sheet, PNG output one file
per sheet (name.png, name-2.png, ...).
"""
from __future__ import annotations

import io
from functools import cache, lru_cache
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import gettext as _
from core.i18n import use_locale
from dispatch.catalog.models import Asset

DPI = 200
SHEET = (int(8.27 * DPI), int(11.69 * DPI))  # A4 portrait
COLUMNS, ROWS = 3, 8
MARGIN = int(0.3 * DPI)
LABELS_PER_SHEET = COLUMNS * ROWS


def N_(message: str) -> str:
    return message


def assets_for_labels(session: Session, *, serials: list[str], limit: int) -> list[Asset]:
    query = select(Asset).order_by(Asset.serial)
    query = query.where(Asset.serial.in_(serials)) if serials else query.limit(limit)
    return list(session.scalars(query))


def report_url(public_base_url: str, asset: Asset) -> str:
    return f"{public_base_url.rstrip('/')}/r/{asset.qr_token}"


# Fonts with Chinese glyphs first (Debian's fonts-noto-cjk), then DejaVu for Latin text only.
CJK_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "wqy-microhei.ttc")
LATIN_FONTS = ("DejaVuSans.ttf",)

# A label is printed once for everyone who will ever scan it, so it carries both languages.
SCAN_TO_REPORT = N_("Scan to report a fault")


@lru_cache(maxsize=32)
def _font(size: int, *, cjk: bool = False):
    for name in (CJK_FONTS if cjk else ()) + LATIN_FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _has_cjk_font() -> bool:
    return any(_can_load(name) for name in CJK_FONTS)


@cache
def _can_load(name: str) -> bool:
    try:
        ImageFont.truetype(name, 10)
    except OSError:
        return False
    return True


def label_words() -> list[str]:
    """The label's call to action in each language it is printed in (Chinese only where a font can draw it)."""
    words = []
    for locale in ("zh_CN", "en") if _has_cjk_font() else ("en",):
        with use_locale(locale):
            text = _(SCAN_TO_REPORT)
        if text not in words:
            words.append(text)
    return words


def render_label(asset: Asset, public_base_url: str, size: tuple[int, int]) -> Image.Image:
    width, height = size
    label = Image.new("RGB", size, "white")
    qr = segno.make(report_url(public_base_url, asset), error="m")
    buffer = io.BytesIO()
    # A scale that fills the label height keeps modules large enough for a phone camera.
    qr_side = height - 20
    scale = max(2, qr_side // qr.symbol_size(border=2)[0])
    qr.save(buffer, kind="png", scale=scale, border=2)
    code = Image.open(buffer).convert("RGB")
    label.paste(code, (10, (height - code.height) // 2))
    draw = ImageDraw.Draw(label)
    text_x = code.width + 20
    y = 14
    for words in label_words():
        draw.text((text_x, y), words, fill="black", font=_font(18, cjk=True))
        y += 26
    draw.text((text_x, y + 6), asset.product_model.code, fill="black", font=_font(22))
    draw.text((text_x, y + 38), asset.serial, fill="black", font=_font(16))
    draw.rectangle([0, 0, width - 1, height - 1], outline="#bbbbbb")
    return label


def write_labels(assets: list[Asset], *, out_path: str, public_base_url: str) -> int:
    cell = ((SHEET[0] - 2 * MARGIN) // COLUMNS, (SHEET[1] - 2 * MARGIN) // ROWS)
    sheets = []
    for start in range(0, len(assets), LABELS_PER_SHEET):
        sheet = Image.new("RGB", SHEET, "white")
        for i, asset in enumerate(assets[start:start + LABELS_PER_SHEET]):
            col, row = i % COLUMNS, i // COLUMNS
            label = render_label(asset, public_base_url, (cell[0] - 8, cell[1] - 8))
            sheet.paste(label, (MARGIN + col * cell[0] + 4, MARGIN + row * cell[1] + 4))
        sheets.append(sheet)
    path = Path(out_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".pdf":
        sheets[0].save(path, "PDF", resolution=DPI, save_all=True, append_images=sheets[1:])
    else:
        for n, sheet in enumerate(sheets, start=1):
            target = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix or '.png'}")
            sheet.save(target, "PNG", dpi=(DPI, DPI))
    return len(sheets)
