"""What the app factory wires in (settings, clock, sessions) and short helpers to reach it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.orm import sessionmaker

from core.clock import Clock
from core.geo import MatrixProvider, provider_for_region
from core.regions import Region
from core.settings import Settings
from core.storage import FileStorage


@dataclass
class AppServices:
    settings: Settings
    clock: Clock
    session_factory: sessionmaker
    tz: ZoneInfo
    # Where photos and receipts are kept (core.storage), chosen by the settings.
    storage: FileStorage


def services() -> AppServices:
    return current_app.extensions["aftercare"]


def storage() -> FileStorage:
    return services().storage


def now() -> datetime:
    return services().clock.now()


def today() -> date:
    """Today's date where the service runs (the configured time zone)."""
    return now().astimezone(services().tz).date()


def travel_provider(region: Region) -> MatrixProvider:
    """The region's travel-time matrices, from OSRM when a server is configured."""
    return provider_for_region(region, osrm_url=services().settings.osrm_url)


def purchase_approval_limit() -> Decimal:
    """Purchase orders worth more wait for a manager's approval."""
    return services().settings.purchase_approval_limit


def tracking_url(token: str) -> str:
    return f"{services().settings.public_base_url}/t/{token}"


def report_url(qr_token: str) -> str:
    return f"{services().settings.public_base_url}/r/{qr_token}"
