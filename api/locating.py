"""Where to send the technician when a report gives an address other than the registered one.

Geocoding is network I/O, so it happens here at the web boundary, never inside the domain. When no
geocoder is configured or it cannot be reached, the report still goes through: the appliance's
registered coordinates are used and the job's history says why.
"""
from __future__ import annotations

from dataclasses import replace

from api.context import services
from core.geo import GeocodingUnavailable, geocode
from dispatch.catalog.models import Asset
from dispatch.intake.services import FaultReport


def locate(report: FaultReport, asset: Asset) -> FaultReport:
    if report.latitude is not None or not report.address or report.address.strip() == asset.address.strip():
        return report
    try:
        lat, lon = geocode(report.address, service=services().settings.geocoder)
    except GeocodingUnavailable as unavailable:
        return replace(report, location_note=str(unavailable))
    return replace(report, latitude=lat, longitude=lon, location_note="geocoded from the address given")
