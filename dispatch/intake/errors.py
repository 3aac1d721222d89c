"""Refusals of intake."""
from __future__ import annotations


class AssetNotFound(Exception):
    """No registered appliance has that QR token or serial."""


class ProofRefused(ValueError):
    """A proof of purchase that cannot be recorded as given; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
