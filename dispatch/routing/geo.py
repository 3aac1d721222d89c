"""Travel matrices from coordinates: vectorised great-circle distance x road factor / speed.

Assumption when no road network is available: roads are `road_factor` (default 1.3) times longer
than the great circle and are driven at a constant `speed_kmh` (default 30 km/h, urban).
Travel times are rounded UP to whole seconds, distances to the nearest metre.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
DEFAULT_SPEED_KMH = 30.0
DEFAULT_ROAD_FACTOR = 1.3


def haversine_m(lon_lat: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Great-circle distances in metres between all pairs of [lon, lat] points (VROOM order)."""
    pts = np.radians(np.asarray(lon_lat, dtype=float).reshape(-1, 2))
    lon, lat = pts[:, 0], pts[:, 1]
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def travel_matrices(lon_lat, *, speed_kmh: float = DEFAULT_SPEED_KMH,
                    road_factor: float = DEFAULT_ROAD_FACTOR) -> tuple[np.ndarray, np.ndarray]:
    """(durations in whole seconds rounded up, distances in whole metres) between all points."""
    road = haversine_m(lon_lat) * road_factor
    durations = np.ceil(road / (speed_kmh / 3.6) - 1e-9).astype(np.int64)
    np.fill_diagonal(durations, 0)
    return durations, np.rint(road).astype(np.int64)
