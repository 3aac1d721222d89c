"""The password policy every new password meets: long enough, not the username, not a common password.

The common passwords are a bundled list (core/common_passwords.json: the first ~3,900 entries of
SecLists' "10k most common" list). Most of them are shorter than the minimum length, so a password is
also refused when what is left after taking the digits and symbols off its ends is a common one:
"Password2024!" is "password" with decoration, and guessers try exactly that first.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.i18n import gettext as _

MIN_LENGTH = 10
# Longer passwords are allowed, not needed; the bound keeps a hash from being asked to chew megabytes.
MAX_LENGTH = 256
_COMMON_FILE = Path(__file__).with_name("common_passwords.json")
_DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")


@dataclass
class WeakPassword(Exception):
    """The password does not meet the policy; `message` says why, in the reader's language."""

    message: str
    field: str = "password"

    def __str__(self) -> str:
        return self.message


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    return frozenset(word.lower() for word in json.loads(_COMMON_FILE.read_text(encoding="utf-8")))


def _is_common(password: str) -> bool:
    lowered = password.lower()
    core = _DECORATION.sub("", lowered)
    common = common_passwords()
    # A core of one or two letters ("a1234567890") is no word at all: only the whole text counts then.
    return lowered in common or (len(core) >= 3 and core in common) or len(set(lowered)) <= 2


def check_password(password: str, *, username: str) -> None:
    """Raises WeakPassword with the first reason the password is refused; returns None when it is fine."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(_("Use at least %(n)s characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise WeakPassword(_("Use at most %(n)s characters.", n=MAX_LENGTH))
    if "\x00" in password:
        raise WeakPassword(_("The password cannot contain a NUL character."))
    name = username.strip().lower()
    if name and name in password.lower():
        raise WeakPassword(_("The password cannot contain the username."))
    if _is_common(password):
        raise WeakPassword(_("This password is too common; choose one that is harder to guess."))
