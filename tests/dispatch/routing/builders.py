"""Small hand-checkable routing worlds: points on a line or grid, 10 minutes per unit of distance."""
from __future__ import annotations

import numpy as np

from dispatch.routing import Break, RoutingProblem, Technician, TimeWindow, Visit

MIN = 60
HOUR = 3600
DAY_START, DAY_END = 8 * HOUR, 16 * HOUR


def grid_matrix(points, seconds_per_unit: int = 10 * MIN) -> np.ndarray:
    pts = np.asarray(points)
    return (np.abs(pts[:, None, :] - pts[None, :, :]).sum(-1) * seconds_per_unit).astype(np.int64)


def tech(id_, *, at=0, skills=None, shift=(DAY_START, DAY_END), breaks=(), end="same", **kw) -> Technician:
    return Technician(id=id_, start_location=at, end_location=at if end == "same" else end,
                      shift=TimeWindow(*shift), breaks=tuple(breaks), skills=skills or {"fridge": 2}, **kw)


def visit(id_, location, *, service=30 * MIN, windows=(), skill="fridge", **kw) -> Visit:
    return Visit(id=id_, location=location, service=service,
                 time_windows=tuple(TimeWindow(a, b) for a, b in windows), required_skill=skill, **kw)


def lunch(start=12 * HOUR, end=13 * HOUR + 30 * MIN, minutes=30) -> Break:
    return Break(TimeWindow(start, end), minutes * MIN)


def line(n: int = 7) -> np.ndarray:
    """Locations 0..n-1 on a line, one unit (10 minutes) apart; 0 is the depot."""
    return grid_matrix([(x, 0) for x in range(n)])


def problem(techs, visits, durations, depots=()) -> RoutingProblem:
    return RoutingProblem(tuple(techs), tuple(visits), durations, depots=tuple(depots))
