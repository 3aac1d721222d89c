"""Amounts of money customers are charged and pay: Decimal, two places, never negative, below 10^8."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from core.i18n import gettext as _

MAX_AMOUNT = Decimal(10) ** 8
CENT = Decimal("0.01")
# ASCII digits with an optional decimal part: no sign, exponent, separators or other scripts' digits.
PLAIN_AMOUNT = re.compile(r"[0-9]+(\.[0-9]+)?")


class BadAmount(ValueError):
    pass


def parse_amount(raw: object) -> Decimal:
    """An amount typed by a person or sent by a client ("120", "120.5", "120.50"); more than two decimal
    places, a sign, an exponent, infinity or NaN are refused rather than rounded."""
    text = str(raw).strip()
    if isinstance(raw, bool) or len(text) > 16 or not PLAIN_AMOUNT.fullmatch(text):
        raise BadAmount(_("Give an amount such as 120 or 120.50."))
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BadAmount(_("Give an amount such as 120 or 120.50.")) from None
    return check_amount(value)


def check_amount(value: Decimal) -> Decimal:
    if not value.is_finite() or value < 0:
        raise BadAmount(_("An amount cannot be negative."))
    if value >= MAX_AMOUNT:
        raise BadAmount(_("An amount must be below %(max)s.", max=f"{MAX_AMOUNT:,.0f}"))
    if value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        raise BadAmount(_("An amount has at most two decimal places."))
    return value.quantize(CENT) + 0  # + 0: a typed "-0" is plain zero


def yuan(value: Decimal | None) -> str:
    """¥1,234.50 — how amounts are written to customers."""
    return "—" if value is None else f"¥{value:,.2f}"
