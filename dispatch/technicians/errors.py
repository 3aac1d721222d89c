"""Outcomes of administering technicians, each naming the input at fault."""
from __future__ import annotations


class TechnicianRefused(Exception):
    """The technician cannot be saved as given; `field` names the input at fault."""

    def __init__(self, message: str, *, field: str, conflict: bool = False, weekday: int | None = None):
        super().__init__(message)
        self.field = field
        self.conflict = conflict  # True: clashes with what is there now (a van or account in use)
        self.weekday = weekday  # the day of the shift at fault, when it is one day's


class TechnicianNotFound(TechnicianRefused):
    def __init__(self, message: str):
        super().__init__(message, field="id")
