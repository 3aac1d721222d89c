"""Refusals of intake."""
from __future__ import annotations


class AssetNotFound(Exception):
    """No registered appliance has that QR token or serial."""
