"""What the quote API and pages share: parts named by SKU, refusals in the one error shape."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select

from api.database import db
from api.errors import field_error
from dispatch.quotes.errors import QuoteRefused
from dispatch.quotes.services import MAX_QUOTE_LINES
from inventory.models import Part


class UnknownParts(QuoteRefused):
    def __init__(self, message: str):
        super().__init__(message, field="parts")


def parts_by_sku(lines: list[dict]) -> list[tuple[Part, int]]:
    lines = lines[:MAX_QUOTE_LINES + 1]
    skus = [line["sku"] for line in lines]
    found = {p.sku: p for p in db().scalars(select(Part).where(Part.sku.in_(skus)))} if skus else {}
    if missing := [sku for sku in skus if sku not in found]:
        raise UnknownParts(f"Unknown part(s): {', '.join(missing)[:200]}.")
    return [(found[line["sku"]], line["quantity"]) for line in lines]


@contextmanager
def quote_refusals() -> Iterator[None]:
    try:
        yield
    except QuoteRefused as error:
        raise field_error(error.code, error.field, str(error)) from None
