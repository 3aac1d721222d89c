"""Plan technicians' days with OR-Tools routing: skills, shifts, breaks, windows, priorities, SLA.

`solve(problem, time_limit=...)` returns a `RoutingResult`. Everything crossing into OR-Tools is an
integer (seconds, metres, cost units). Visits that cannot be planned are reported with a reason:
specific when it is known before searching (no technician has the skill, no qualified technician
can reach it inside its windows and shift, a pin that cannot be honoured), otherwise "not enough
capacity in the time available".

Objective (lexicographic in practice): serve as much priority-weighted work as possible (a dropped
visit costs `B * (1 + priority)`, with B larger than all other costs together), then minimise the
fixed cost per used technician (0 by default), travel (time, or distance with cost="distance") and
`lateness_cost` per second a service starts after its SLA deadline. `RoutingResult.objective` is
that cost of the returned plan without the drop penalties (unassigned visits are listed instead).

Who may serve what is checked first (`candidates.precheck`); `strategies.plan` spends the time
budget on OR-Tools models (`ortools_model`) and the SISR polish; `schedule.timed_routes` gives the
plan its ETAs.
"""
from __future__ import annotations

import time

from .candidates import precheck
from .model import RoutingProblem
from .options import SolveOptions
from .result import (
    NO_CAPACITY,
    NO_CAPACITY_REASON,
    RoutingResult,
    Unassigned,
)
from .schedule import timed_routes
from .strategies import plan


def solve(problem: RoutingProblem, *, time_limit: float, **options) -> RoutingResult:
    """Plan `problem` within `time_limit` seconds (wall clock, model building included).

    Keyword options are the fields of `SolveOptions`, e.g. `cost="distance"`,
    `vehicle_fixed_cost=...` (fewest technicians first), `lateness_cost=...`,
    `initial_routes={technician_id: [visit_id, ...]}` (warm start, e.g. the current plan)."""
    if time_limit <= 0:
        raise ValueError("time_limit must be positive")
    opts = SolveOptions(time_limit=time_limit, **options)
    started = time.monotonic()
    deadline = started + time_limit
    candidates, unassigned = precheck(problem)
    plannable = [i for i in range(len(problem.visits)) if i in candidates]
    if not plannable:  # also when there are no technicians: precheck found nobody with the skill
        return RoutingResult("empty", 0, [], unassigned, time.monotonic() - started, True)

    routes_by_tech, _, status, stats = plan(problem, candidates, plannable, opts, deadline)
    routes, feasible = timed_routes(problem, routes_by_tech)
    # One objective for every strategy: the plan's cost without drop penalties (those are listed).
    objective = sum((r.distance or 0) if opts.cost == "distance" else r.travel_seconds for r in routes) \
        + opts.vehicle_fixed_cost * len(routes) + opts.lateness_cost * sum(r.late_seconds for r in routes)
    served = {v for r in routes for v in r.visit_ids}
    for i in plannable:
        vid = problem.visits[i].id
        if vid not in served:
            unassigned.append(Unassigned(vid, NO_CAPACITY_REASON, NO_CAPACITY))
    order = {v.id: k for k, v in enumerate(problem.visits)}
    unassigned.sort(key=lambda u: order[u.visit_id])
    return RoutingResult(status, objective, routes, unassigned, time.monotonic() - started,
                         feasible and status in ("feasible", "optimal"), stats)
