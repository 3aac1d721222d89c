"""Travel times and distances between points, and geocoding.

Default: vectorised great-circle distance × a road factor ÷ an average speed, per region. It needs no
network and builds a 2,000 × 2,000 matrix in well under a second. An OSRM server's table API can be
configured instead for real road times. geopy gives single geodesic distances and geocoding.
"""
from __future__ import annotations

import json
import math
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from geopy.distance import geodesic

EARTH_RADIUS_M = 6_371_008.8

LatLon = tuple[float, float]


def _unit_vectors(points: Sequence[LatLon]) -> np.ndarray:
    lat_lon = np.radians(np.asarray(points, dtype=np.float64).reshape(-1, 2))
    lat, lon = lat_lon[:, 0], lat_lon[:, 1]
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def haversine_matrix_m(origins: Sequence[LatLon], destinations: Sequence[LatLon] | None = None) -> np.ndarray:
    """Great-circle distances in metres, every origin to every destination, as a float64 matrix.

    Computed from the chord between 3-D unit vectors (|a-b|^2 = 2 - 2 a.b), so the heavy part is one
    matrix product; numerically this is the haversine formula.
    """
    a = _unit_vectors(origins)
    b = a if destinations is None else _unit_vectors(destinations)
    chord_sq = np.clip(2.0 - 2.0 * (a @ b.T), 0.0, 4.0)
    distances = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(chord_sq) / 2)
    if destinations is None:
        # The dot product leaves ~0.1 m of rounding noise where a point meets itself.
        np.fill_diagonal(distances, 0.0)
    return distances


def geodesic_m(a: LatLon, b: LatLon) -> float:
    """Exact ellipsoidal distance for one pair (slow: use the matrix for many)."""
    return geodesic(a, b).meters


@dataclass(frozen=True)
class TravelMatrix:
    durations: np.ndarray  # int64 seconds, rounded up
    distances: np.ndarray  # int64 metres, rounded up


class MatrixProvider(Protocol):
    def matrix(self, points: Sequence[LatLon]) -> TravelMatrix: ...


@dataclass(frozen=True)
class GreatCircleProvider:
    """Crow-flies distance stretched by `road_factor` (streets are not straight) at `speed_kmh`."""

    road_factor: float = 1.35
    speed_kmh: float = 28.0

    def matrix(self, points: Sequence[LatLon]) -> TravelMatrix:
        road = haversine_matrix_m(points) * self.road_factor
        seconds = road / (self.speed_kmh / 3.6)
        # Up, not to nearest: rounding down could make a plan miss a window by a rounding step.
        return TravelMatrix(durations=np.ceil(seconds).astype(np.int64), distances=np.ceil(road).astype(np.int64))


class RoutingServiceUnavailable(Exception):
    pass


@dataclass(frozen=True)
class OsrmTableProvider:
    """Road durations from an OSRM server's table service (`/table/v1/driving/...`)."""

    base_url: str
    timeout_s: float = 10.0

    def matrix(self, points: Sequence[LatLon]) -> TravelMatrix:
        coordinates = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
        url = f"{self.base_url.rstrip('/')}/table/v1/driving/{coordinates}?annotations=duration,distance"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout_s) as response:
                body = json.load(response)
        except OSError as error:
            raise RoutingServiceUnavailable(f"OSRM at {self.base_url} did not answer: {error}") from error
        if body.get("code") != "Ok":
            raise RoutingServiceUnavailable(f"OSRM refused the table request: {body.get('message', body.get('code'))}")
        durations = np.array(body["durations"], dtype=np.float64)
        distances = np.array(body.get("distances") or durations * 8.0, dtype=np.float64)
        unreachable = ~np.isfinite(durations)
        # Unroutable pairs (islands, closed roads) become prohibitively long rather than free.
        durations[unreachable], distances[unreachable] = 10 * 24 * 3600, 10**7
        return TravelMatrix(durations=np.ceil(durations).astype(np.int64), distances=np.ceil(distances).astype(np.int64))


def provider_for_region(region, *, osrm_url: str | None) -> MatrixProvider:
    """OSRM when configured, otherwise the great-circle estimate with the region's own factors."""
    if osrm_url:
        return OsrmTableProvider(osrm_url)
    return GreatCircleProvider(road_factor=region.road_factor, speed_kmh=region.speed_kmh)


class GeocodingUnavailable(Exception):
    """No geocoder is configured, or it cannot be reached (e.g. an offline installation)."""


def geocode(address: str, *, service: str | None, user_agent: str = "aftercare", timeout_s: float = 5.0) -> LatLon:
    """Coordinates for an address via a configured geopy geocoder (e.g. 'nominatim')."""
    from geopy.exc import GeopyError
    from geopy.geocoders import get_geocoder_for_service

    if not service:
        raise GeocodingUnavailable("No geocoder is configured (AFTERCARE_GEOCODER); the appliance's registered "
                                   "coordinates are used instead.")
    try:
        geocoder = get_geocoder_for_service(service)(user_agent=user_agent, timeout=timeout_s)
        found = geocoder.geocode(address)
    except (GeopyError, OSError, ValueError) as error:
        raise GeocodingUnavailable(f"The {service} geocoder could not be reached ({error.__class__.__name__}); "
                                   "the appliance's registered coordinates are used instead.") from error
    if found is None:
        raise GeocodingUnavailable(f"The {service} geocoder does not know this address.")
    return found.latitude, found.longitude


def km(metres: float) -> float:
    return metres / 1000.0

def is_valid_position(lat: float, lon: float) -> bool:
    """The one rule for a position anyone gives us: finite, and on the globe."""
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180
