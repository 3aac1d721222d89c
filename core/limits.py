"""Bounds every input must stay within, so that nothing a client sends reaches the database as a
value it cannot store."""
from __future__ import annotations

import re

# The database's INTEGER (PostgreSQL int4): every id, count, quantity and page fits in it.
DB_INT_MAX = 2**31 - 1
# Text a person types keeps tabs and line breaks; any other control character (NUL above all, which
# PostgreSQL cannot store in text) is refused.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ASCII_DIGITS = re.compile(r"[0-9]{1,10}")


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def parse_id(text: str | None) -> int | None:
    """A positive whole number written in ASCII digits that the database can store, else None
    (superscript and other Unicode digits are not numbers here, whatever str.isdigit says)."""
    if text is None or not _ASCII_DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= DB_INT_MAX else None
