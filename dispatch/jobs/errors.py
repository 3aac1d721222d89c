"""Refusals of operations on jobs."""
from __future__ import annotations


class JobNotFound(Exception):
    def __init__(self, number: str):
        super().__init__(f"No job {number!r}.")
        self.number = number


class CannotOwn(Exception):
    """The proposed owner may not own a case (wrong role, inactive, or already the owner)."""
