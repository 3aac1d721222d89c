"""Refusals of operations on jobs."""
from __future__ import annotations

from core.i18n import gettext as _


class JobNotFound(Exception):
    def __init__(self, number: str):
        super().__init__(_("No job %(number)s.", number=repr(number)))
        self.number = number


class CannotOwn(Exception):
    """The proposed owner may not own a case (wrong role, inactive, or already the owner)."""


class OverrideNeeded(Exception):
    """A move that belongs to the technician at the customer's door, asked for by the office without
    a named override (or without what the override must carry)."""

    def __init__(self, message: str, *, field: str = "override_reason"):
        super().__init__(message)
        self.field = field


class CaseAlreadyOwned(CannotOwn):
    """A case taken from the queue of new reports that a colleague took first."""


class ReasonNeeded(ValueError):
    """An action that must say why (a cancellation) was asked for without a usable reason."""


class ClockChangeRefused(Exception):
    """A contact, a priority change or an escalation step that cannot be recorded as asked; `field`
    names the input at fault and `code` the HTTP status a boundary answers with."""

    def __init__(self, message: str, *, field: str, code: int = 422):
        super().__init__(message)
        self.field, self.code = field, code
