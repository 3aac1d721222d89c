"""The password rule for accounts made by set-up (imported users, the first admin).

The full policy (common passwords and more) belongs to core.users; until it offers
`check_password_policy`, this minimal rule stands in, behind the one function callers use.
"""
from __future__ import annotations

from core import users
from core.i18n import gettext as _

MIN_LENGTH = 10


def password_problem(username: str, password: str) -> str | None:
    """Why the password may not be used, in the reader's language; None when it may."""
    policy = getattr(users, "check_password_policy", None)
    if policy is not None:
        try:
            policy(username=username, password=password)
        except ValueError as error:  # the policy's refusal (a ValueError subclass) carries its reason
            return str(error)
        return None
    if len(password) < MIN_LENGTH:
        return _("At least %(n)s characters.", n=MIN_LENGTH)
    if password.casefold() == username.casefold():
        return _("May not be the username.")
    return None
