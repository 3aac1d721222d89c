"""Printable QR labels: each code holds the appliance's full report URL.

A sheet is A4 at 200 dpi with 3 x 8 labels; PDF output has one page per sheet, PNG output one file
per sheet (name.png, name-2.png, ...).
"""
from __future__ import annotations

import io
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.catalog.models import Asset

DPI = 200
SHEET = (int(8.27 * DPI), int(11.69 * DPI))  # A4 portrait
COLUMNS, ROWS = 3, 8
MARGIN = int(0.3 * DPI)
LABELS_PER_SHEET = COLUMNS * ROWS


def assets_for_labels(session: Session, *, serials: list[str], limit: int) -> list[Asset]:
    query = select(Asset).order_by(Asset.serial)
    query = query.where(Asset.serial.in_(serials)) if serials else query.limit(limit)
    return list(session.scalars(query))


def report_url(public_base_url: str, asset: Asset) -> str:
    return f"{public_base_url.rstrip('/')}/r/{asset.qr_token}"


def _font(size: int):
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size)


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
    draw.text((text_x, 20), "Scan to report a fault", fill="black", font=_font(18))
    draw.text((text_x, 55), asset.product_model.code, fill="black", font=_font(22))
    draw.text((text_x, 90), asset.serial, fill="black", font=_font(16))
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
