"""A generated field-service day for benchmarks and demos (deterministic for a given seed).

Defaults: 1,000 jobs, 100 technicians, 5 skills (each job needs one, each technician has 2-3),
8-hour shifts 08:00-16:00 with a 30-minute lunch inside 11:30-13:30, services of 30-60 minutes,
a 2-hour window for a third of the jobs, over a city 50 km across (70 % of the jobs around eight
neighbourhood centres, the rest anywhere), travel by `vroom_io.travel_from_coordinates` (30 km/h, road
factor 1.3). Times are seconds from midnight. All skill levels are 2 and priorities 0 unless asked, so
every solver compared on it solves exactly the same problem.

`product_day` is the same city with this product's variety: staggered shifts, daily caps, six skills
with levels (service time depends on the level), minimum levels and urgent jobs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .model import Break, RoutingProblem, Technician, TimeWindow, Visit
from .vroom_io import travel_from_coordinates

HOUR = 3600
CENTRE_LON_LAT = (120.62, 31.30)


@dataclass(frozen=True)
class FieldServiceDay:
    problem: RoutingProblem
    lon_lat: np.ndarray  # [location] -> (lon, lat); technicians' homes first, then jobs


def _points_in_disc(rng: np.random.Generator, n: int, radius_km: float) -> np.ndarray:
    r = radius_km * np.sqrt(rng.random(n))
    a = 2 * math.pi * rng.random(n)
    return np.column_stack([r * np.cos(a), r * np.sin(a)])


def _km_to_lon_lat(xy_km: np.ndarray) -> np.ndarray:
    lon0, lat0 = CENTRE_LON_LAT
    lat = lat0 + xy_km[:, 1] / 111.32
    lon = lon0 + xy_km[:, 0] / (111.32 * math.cos(math.radians(lat0)))
    return np.column_stack([lon, lat])


def _city(rng: np.random.Generator, jobs: int, technicians: int, city_km: float):
    """Technicians' homes, then job sites: 70 % of the jobs around eight neighbourhood centres."""
    radius = city_km / 2
    homes = _points_in_disc(rng, technicians, radius)
    centres = _points_in_disc(rng, 8, radius * 0.75)
    clustered = int(round(jobs * 0.7))
    around = centres[rng.integers(0, len(centres), clustered)] + rng.normal(0, 3.0, (clustered, 2))
    norms = np.linalg.norm(around, axis=1, keepdims=True)
    around = np.where(norms > radius, around / norms * radius, around)
    sites = np.vstack([around, _points_in_disc(rng, jobs - clustered, radius)])
    sites = sites[rng.permutation(jobs)]
    lon_lat = _km_to_lon_lat(np.vstack([homes, sites]))
    durations, distances = travel_from_coordinates(lon_lat)
    return lon_lat, durations, distances


def field_service_day(*, jobs: int = 1000, technicians: int = 100, skills: int = 5, seed: int = 7,
                      city_km: float = 50.0, skill_levels: bool = False, priorities: bool = False,
                      deadlines: bool = False, windowed_share: float = 1 / 3) -> FieldServiceDay:
    rng = np.random.default_rng(seed)
    lon_lat, durations, distances = _city(rng, jobs, technicians, city_km)

    skill_names = [f"skill-{k + 1}" for k in range(skills)]
    shift = TimeWindow(8 * HOUR, 16 * HOUR)
    lunch = Break(TimeWindow(int(11.5 * HOUR), int(13.5 * HOUR)), 30 * 60)
    techs = []
    for t in range(technicians):
        count = int(rng.integers(2, 4))
        chosen = rng.choice(skills, size=count, replace=False)
        levels = {skill_names[s]: (int(rng.integers(1, 4)) if skill_levels else 2) for s in sorted(chosen)}
        techs.append(Technician(id=f"tech-{t + 1:03d}", start_location=t, end_location=t, shift=shift,
                                breaks=(lunch,), skills=levels))
    visits = []
    windowed = rng.random(jobs) < windowed_share
    for j in range(jobs):
        windows: tuple[TimeWindow, ...] = ()
        if windowed[j]:
            start = int(rng.integers(8 * 2, 14 * 2 + 1)) * 1800  # on the half hour, 08:00-14:00
            windows = (TimeWindow(start, start + 2 * HOUR),)
        visits.append(Visit(
            id=f"job-{j + 1:04d}", location=technicians + j, service=int(rng.integers(30, 61)) * 60,
            time_windows=windows, required_skill=skill_names[int(rng.integers(0, skills))],
            priority=int(rng.choice([0, 0, 0, 10, 50, 90])) if priorities else 0,
            deadline=int(rng.integers(10, 17)) * HOUR if deadlines else None))
    return FieldServiceDay(RoutingProblem(tuple(techs), tuple(visits), durations, distances), lon_lat)


def product_day(*, jobs: int = 800, technicians: int = 80, seed: int = 1, city_km: float = 50.0,
                skills: int = 6, windowed_share: float = 1 / 3, urgent_share: float = 0.1) -> FieldServiceDay:
    """A day shaped like this product's (for the routing benchmark's days part): the same city as
    `field_service_day`, and what that day leaves uniform varies as it does for a real team.

    Technicians: shifts of 8.5 hours starting on the half hour 07:00-09:00, a 30-minute lunch inside
    11:30-13:30, a daily cap of 6, 7, 8 or 10 visits, 2-3 of `skills` skills at level 1 (a quarter),
    2 (half) or 3 (a quarter), so service time depends on who goes. Jobs: 30-60 minutes nominal, a
    required skill with a minimum level (1, or 2 for a fifth, 3 for one in twenty), a 2-hour customer
    window starting on the half hour 08:00-14:30 for `windowed_share` of them, and `urgent_share`
    urgent jobs at priority 90-100; the rest 0, 10, 30 or 50.
    """
    rng = np.random.default_rng(seed)
    lon_lat, durations, distances = _city(rng, jobs, technicians, city_km)
    skill_names = [f"skill-{k + 1}" for k in range(skills)]
    lunch_window = TimeWindow(int(11.5 * HOUR), int(13.5 * HOUR))
    techs = []
    for t in range(technicians):
        start = int(rng.integers(14, 19)) * 1800  # 07:00 .. 09:00
        chosen = sorted(rng.choice(skills, size=int(rng.integers(2, 4)), replace=False))
        levels = {skill_names[s]: int(rng.choice([1, 2, 2, 3])) for s in chosen}
        techs.append(Technician(
            id=f"tech-{t + 1:03d}", start_location=t, end_location=t,
            shift=TimeWindow(start, start + int(8.5 * HOUR)), breaks=(Break(lunch_window, 30 * 60),),
            skills=levels, max_visits=int(rng.choice([6, 7, 8, 10]))))
    visits = []
    for j in range(jobs):
        windows: tuple[TimeWindow, ...] = ()
        if rng.random() < windowed_share:
            opens = int(rng.integers(16, 30)) * 1800  # 08:00 .. 14:30
            windows = (TimeWindow(opens, opens + 2 * HOUR),)
        urgent = rng.random() < urgent_share
        visits.append(Visit(
            id=f"job-{j + 1:04d}", location=technicians + j, service=int(rng.integers(30, 61)) * 60,
            time_windows=windows, required_skill=skill_names[int(rng.integers(0, skills))],
            min_skill_level=int(rng.choice([1] * 15 + [2] * 4 + [3])),
            priority=int(rng.integers(90, 101)) if urgent else int(rng.choice([0, 0, 0, 10, 30, 50]))))
    return FieldServiceDay(RoutingProblem(tuple(techs), tuple(visits), durations, distances), lon_lat)
