"""Who may serve what, decided before any search: the up-front check (`precheck`: qualified
technicians who can reach a visit in time, or the reason nobody can), the depots a visit's parts
can come from, and the items strategies put in routes (visit indices and `PickupAt`)."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .model import Pickup, RoutingProblem, Visit
from .result import NO_PART, NO_SKILL, PINNED_INVALID, UNREACHABLE, Unassigned

# Depots considered per visit needing parts (those where the parts could reach it soonest): more
# rarely pay off and each one adds two nodes to the model.
MAX_PICKUP_DEPOTS = 2
_NEVER = 2**50  # an arrival time that fits no window


class PickupAt(NamedTuple):
    """A pickup inside a route of problem indices (strategies work on indices, not ids)."""

    visit: int  # index into problem.visits
    depot: int  # index into problem.depots


def is_visit(item: int | PickupAt) -> bool:
    return not isinstance(item, PickupAt)


def item_id(problem: RoutingProblem, item: int | PickupAt) -> str | Pickup:
    """Problem indices -> what routes carry: a visit id or a Pickup."""
    if isinstance(item, PickupAt):
        return Pickup(problem.depots[item.depot].id, problem.visits[item.visit].id)
    return problem.visits[item].id


def item_location(problem: RoutingProblem, item: int | PickupAt) -> int:
    if isinstance(item, PickupAt):
        return problem.depots[item.depot].location
    return problem.visits[item].location


def pickup_depots(problem: RoutingProblem, visit: Visit, limit: int | None = MAX_PICKUP_DEPOTS) -> list[int]:
    """Indices of the depots holding every part `visit` needs, soonest first: when the parts could
    be at the visit (there, collected, driven over) if a technician were at the depot at day start."""
    if not visit.needs_parts or not problem.depots:
        return []
    day_start = min((t.shift.start for t in problem.technicians), default=0)
    dur = problem.durations
    found = sorted((max(d.available_from(visit.needs_parts), day_start) + d.pickup_service
                    + int(dur[d.location, visit.location]), k)
                   for k, d in enumerate(problem.depots) if d.holds(visit.needs_parts))
    return [k for _, k in found][:limit]


def no_part_reason(visit: Visit) -> str:
    return f"no depot and no qualified technician's van holds {', '.join(visit.needs_parts)}"


def skill_requirement(visit: Visit) -> str:
    """' at level 3 or above' when the visit needs more than any level of its skill, else ''."""
    return f" at level {visit.min_skill_level} or above" if visit.min_skill_level > 1 else ""


def precheck(problem: RoutingProblem) -> tuple[dict[int, list[int]], list[Unassigned]]:
    """visit index -> technician indices that are qualified and can reach it in time (with its
    parts: straight from a van holding them, or via a depot), plus the visits nobody can serve with
    the specific reason."""
    techs = problem.technicians
    dur = problem.durations
    tech_index = {t.id: k for k, t in enumerate(techs)}
    shift_start = np.array([t.shift.start for t in techs], dtype=np.int64)
    shift_end = np.array([t.shift.end for t in techs], dtype=np.int64)
    start_loc = np.array([t.start_location for t in techs], dtype=np.int64)
    end_loc = np.array([t.end_location if t.end_location is not None else -1 for t in techs], dtype=np.int64)
    open_end = end_loc < 0
    candidates: dict[int, list[int]] = {}
    unassigned: list[Unassigned] = []
    for i, v in enumerate(problem.visits):
        if v.pinned_technician is not None:
            k = tech_index.get(v.pinned_technician)
            if k is None:
                unassigned.append(Unassigned(v.id, f"pinned to unknown technician {v.pinned_technician!r}", PINNED_INVALID))
                continue
            if not techs[k].can_do(v):
                unassigned.append(Unassigned(v.id, f"pinned technician {v.pinned_technician} lacks the skill "
                                                   f"{v.required_skill!r}{skill_requirement(v)}", PINNED_INVALID))
                continue
            if v.pinned_sequence is not None:
                candidates[i] = [k]  # committed work: no reachability test, windows are relaxed
                continue
            pool = [k]
        else:
            pool = [k for k, t in enumerate(techs) if t.can_do(v)]
        if not pool:
            unassigned.append(Unassigned(v.id, f"no technician has the skill {v.required_skill!r}{skill_requirement(v)}"
                                         + (f" (and {', '.join(v.extra_skills)})" if v.extra_skills else ""), NO_SKILL))
            continue
        idx = np.array(pool, dtype=np.int64)
        arrive = shift_start[idx] + dur[start_loc[idx], v.location]
        if v.needs_parts and v.pinned_sequence is None:
            holders = np.array([techs[k].holds_parts(v) for k in pool], dtype=bool)
            depots = pickup_depots(problem, v)
            if not depots and not holders.any():
                unassigned.append(Unassigned(v.id, no_part_reason(v), NO_PART))
                continue
            via = np.full(len(pool), _NEVER, dtype=np.int64)
            for d in (problem.depots[k] for k in depots):
                collected = np.maximum(shift_start[idx] + dur[start_loc[idx], d.location],
                                       d.available_from(v.needs_parts)) + d.pickup_service
                via = np.minimum(via, collected + dur[d.location, v.location])
            arrive = np.where(holders, arrive, via)
        back = np.where(open_end[idx], 0, dur[v.location, np.where(open_end[idx], 0, end_loc[idx])])
        service = np.array([techs[k].service_seconds(v) for k in pool], dtype=np.int64)
        ok = np.zeros(len(pool), dtype=bool)
        for lo, hi in v.start_bounds():
            st = np.maximum(arrive, lo)
            ok |= (st <= hi) & (st + service + back <= shift_end[idx])
        reachable = [k for k, good in zip(pool, ok) if good]
        if not reachable:
            if v.pinned_technician is not None:
                why = f"pinned technician {v.pinned_technician} cannot reach it within its time windows and shift"
            else:
                why = "no qualified technician can reach it within its time windows and shift"
            unassigned.append(Unassigned(v.id, why, UNREACHABLE))
            continue
        candidates[i] = reachable
    return candidates, unassigned
