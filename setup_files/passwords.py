"""The password rule for accounts made by set-up (imported users, the first admin): the policy
every new password meets (core.password_policy), as a reason text for the import report."""
from __future__ import annotations

from core.password_policy import WeakPassword, check_password


def password_problem(username: str, password: str) -> str | None:
    """Why the password may not be used, in the reader's language; None when it may."""
    try:
        check_password(password, username=username)
    except WeakPassword as weak:
        return weak.message
    return None
