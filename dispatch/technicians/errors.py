"""Outcomes of administering technicians, each naming the input at fault."""
from __future__ import annotations


class TechnicianRefused(Exception):
    """The technician cannot be saved as given; `field` names the input at fault."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field


class TechnicianNotFound(TechnicianRefused):
    def __init__(self, message: str):
        super().__init__(message, field="id")
