"""Refusals of the set-up services (catalogue, policies, stock set-up): what was wrong and in which
field, so the API answers with a field message and a page shows it beside the input."""
from __future__ import annotations


class SetupRefused(ValueError):
    """Input the set-up cannot take; `field` names the input at fault."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field


class AlreadyExists(SetupRefused):
    """A record with the same natural key (code, SKU, serial) is there already."""


class SetupNotFound(LookupError):
    """The record named in the address does not exist."""
