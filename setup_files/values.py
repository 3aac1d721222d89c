"""Cell values of set-up files: each parser turns the text of one cell into a Python value within the
database's bounds, or raises BadValue with the reason in the reader's language."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from core.i18n import gettext as _
from core.limits import DB_INT_MAX, has_control_characters

Parser = Callable[[str], Any]
# Several values in one cell (the regions a warehouse serves, the parts that fit a model).
LIST_SEPARATOR = ";"
_INTEGER = re.compile(r"[+-]?[0-9]{1,12}")
_DECIMAL = re.compile(r"[+-]?[0-9]{1,12}(\.[0-9]{1,12})?")
_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])(:00)?")
_SPACE_OR_SEPARATOR = re.compile(r"[\s;]")
_EMAIL = re.compile(r"[^@\s;]+@[^@\s;]+\.[^@\s;.]+")
_TRUE, _FALSE = {"true", "yes", "1", "y", "是"}, {"false", "no", "0", "n", "否"}


class BadValue(ValueError):
    """The cell cannot be used; `reason` says why, for the person who fixes the file."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def text(max_length: int) -> Parser:
    def parse(raw: str) -> str:
        if has_control_characters(raw):
            raise BadValue(_("Contains a control character (such as NUL)."))
        if len(raw) > max_length:
            raise BadValue(_("Longer than %(n)s characters.", n=max_length))
        return raw

    parse.describe = f"text, at most {max_length} characters"
    return parse


def email(max_length: int) -> Parser:
    """An e-mail address: one @ with a name before it and a domain with a dot after it."""
    check = text(max_length)

    def parse(raw: str) -> str:
        value = check(raw)
        if not _EMAIL.fullmatch(value):
            raise BadValue(_("Not an e-mail address (such as name@example.com)."))
        return value

    parse.describe = f"e-mail address, at most {max_length} characters"
    return parse


def code(max_length: int) -> Parser:
    """An identifier people type and other files refer to: no spaces, no separators."""
    check = text(max_length)

    def parse(raw: str) -> str:
        value = check(raw)
        if _SPACE_OR_SEPARATOR.search(value):
            raise BadValue(_("May not contain spaces or ';'."))
        return value

    parse.describe = f"code, at most {max_length} characters, no spaces or `;`"
    return parse


def integer(low: int = 0, high: int = DB_INT_MAX) -> Parser:
    def parse(raw: str) -> int:
        if not _INTEGER.fullmatch(raw):
            raise BadValue(_("Not a whole number."))
        value = int(raw)
        if not low <= value <= high:
            raise BadValue(_("Must be between %(low)s and %(high)s.", low=low, high=high))
        return value

    parse.describe = f"whole number {low} to {high}"
    return parse


def number(low: float, high: float) -> Parser:
    def parse(raw: str) -> float:
        if not _DECIMAL.fullmatch(raw):
            raise BadValue(_("Not a number."))
        value = float(raw)
        if not low <= value <= high:
            raise BadValue(_("Must be between %(low)s and %(high)s.", low=low, high=high))
        return value

    parse.describe = f"number {low} to {high}"
    return parse


def money(high: Decimal = Decimal("9999999999.99")) -> Parser:
    def parse(raw: str) -> Decimal:
        try:
            value = Decimal(raw) if _DECIMAL.fullmatch(raw) else None
        except InvalidOperation:
            value = None
        if value is None:
            raise BadValue(_("Not an amount (write 12.50)."))
        if value != value.quantize(Decimal("0.01")):
            raise BadValue(_("At most two decimal places."))
        if not Decimal(0) <= value <= high:
            raise BadValue(_("Must be between %(low)s and %(high)s.", low=0, high=high))
        return value.quantize(Decimal("0.01"))

    parse.describe = "amount, 0 or more, at most 2 decimals"
    return parse


def boolean(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise BadValue(_("Write true or false."))


def day(raw: str) -> date:
    try:
        value = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        value = None
    if value is None:
        raise BadValue(_("Not a date (write 2026-11-23)."))
    if not 1900 <= value.year <= 2200:
        raise BadValue(_("Year must be between 1900 and 2200."))
    return value


def clock_time(raw: str) -> time:
    match = _TIME.fullmatch(raw)
    if match is None:
        raise BadValue(_("Not a time of day (write 08:30)."))
    return time(int(match.group(1)), int(match.group(2)))


def choice(values: list[str]) -> Parser:
    def parse(raw: str) -> str:
        if raw not in values:
            raise BadValue(_("Must be one of: %(values)s.", values=", ".join(values)))
        return raw

    parse.describe = "one of " + ", ".join(f"`{v}`" for v in values)
    return parse


def time_zone(raw: str) -> str:
    if len(raw) > 64 or raw not in _zones():
        raise BadValue(_("Not a known time zone (write Asia/Shanghai)."))
    ZoneInfo(raw)
    return raw


def code_list(max_length: int, max_items: int = 200) -> Parser:
    """Codes separated by ';' (blank entries ignored, each at most once)."""
    each = code(max_length)

    def parse(raw: str) -> tuple[str, ...]:
        items = [item.strip() for item in raw.split(LIST_SEPARATOR) if item.strip()]
        if len(items) > max_items:
            raise BadValue(_("At most %(n)s entries.", n=max_items))
        if len(set(items)) != len(items):
            raise BadValue(_("An entry is listed twice."))
        return tuple(each(item) for item in items)

    parse.describe = f"codes separated by `;`, at most {max_items}"
    return parse


boolean.describe = "true or false (also yes/no, 1/0, 是/否)"
day.describe = "date, YYYY-MM-DD"
clock_time.describe = "time of day, HH:MM"
time_zone.describe = "IANA time zone name"

_zone_names: set[str] | None = None


def _zones() -> set[str]:
    global _zone_names
    if _zone_names is None:
        _zone_names = available_timezones()
    return _zone_names


def written(value: Any) -> str:
    """The text a value is written as in an exported file (what its parser reads back)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, float):
        return repr(value) if value != int(value) else str(int(value)) if abs(value) < 1e15 else repr(value)
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(written(v) for v in value)
    return str(getattr(value, "value", value))
