"""Solomon / Gehring-Homberger VRPTW instance files as RoutingProblems, plus best-known solutions.

Distances are Euclidean and NOT rounded (the published best-known solutions use exact distances).
OR-Tools needs integers, so every time and distance is multiplied by `scale` (default 1000):
distances are rounded to the nearest unit, travel times rounded UP so that a plan feasible in the
scaled model is feasible with exact distances. Report distances with `exact_distance`, which
recomputes them from the coordinates.
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .model import RoutingProblem, Technician, TimeWindow, Visit


@dataclass(frozen=True)
class SolomonInstance:
    name: str
    problem: RoutingProblem
    coordinates: np.ndarray  # (n + 1, 2), row 0 is the depot
    vehicles: int
    capacity: int
    scale: int

    @property
    def customers(self) -> int:
        return len(self.problem.visits)

    def exact_distance(self, routes: Iterable[Sequence[str]]) -> float:
        """Total Euclidean length of routes given as sequences of customer ids (depot to depot)."""
        xy = self.coordinates
        total = 0.0
        for route in routes:
            nodes = [0] + [int(c) for c in route] + [0]
            if len(nodes) > 2:
                total += float(np.hypot(*(xy[nodes[1:]] - xy[nodes[:-1]]).T).sum())
        return total


def read_solomon(path: str | Path, *, scale: int = 1000) -> SolomonInstance:
    path = Path(path)
    name = path.stem.upper()
    rows: list[list[float]] = []
    header: list[int] | None = None
    for line in path.read_text().splitlines():
        tokens = line.split()
        if not tokens or not all(_is_number(t) for t in tokens):
            continue
        if len(tokens) == 2 and header is None:
            header = [int(tokens[0]), int(tokens[1])]
        elif len(tokens) >= 7:
            rows.append([float(t) for t in tokens[:7]])
    if header is None or not rows:
        raise ValueError(f"{path}: not a Solomon instance (vehicle line or customer rows missing)")
    vehicles, capacity = header
    data = np.array(rows)
    if data[0, 0] != 0:
        raise ValueError(f"{path}: the first customer row must be the depot (number 0)")
    xy = data[:, 1:3]
    exact = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    durations = np.ceil(exact * scale - 1e-6).astype(np.int64)
    distances = np.rint(exact * scale).astype(np.int64)
    depot_open, depot_close = int(round(data[0, 4] * scale)), int(round(data[0, 5] * scale))
    technicians = tuple(
        Technician(id=f"vehicle-{k + 1}", start_location=0, end_location=0,
                   shift=TimeWindow(depot_open, depot_close), capacity=capacity)
        for k in range(vehicles))
    visits = tuple(
        Visit(id=str(int(r[0])), location=row, service=int(round(r[6] * scale)),
              time_windows=(TimeWindow(int(round(r[4] * scale)), int(round(r[5] * scale))),),
              demand=int(r[3]))
        for row, r in enumerate(data) if row > 0)
    problem = RoutingProblem(technicians, visits, durations, distances)
    return SolomonInstance(name, problem, xy, vehicles, capacity, scale)


def is_solomon_file(path: str | Path) -> bool:
    try:
        head = Path(path).read_text(errors="replace")[:2000].upper()
    except OSError:
        return False
    return "VEHICLE" in head and "CUSTOMER" in head and "CAPACITY" in head


def read_bks(path: str | Path) -> dict[str, tuple[int, float]]:
    """instance name (upper case) -> (vehicles, distance) from a bks.csv file."""
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            out[row["instance"].strip().upper()] = (int(row["vehicles"]), float(row["distance"]))
    return out


def fixed_vehicle_cost(instance: SolomonInstance) -> int:
    """A per-vehicle cost larger than any total distance, so fewer vehicles always wins."""
    d = instance.problem.distances
    return int(d.max()) * (instance.customers + 1) + 1


def _is_number(token: str) -> bool:
    try:
        return math.isfinite(float(token))
    except ValueError:
        return False
