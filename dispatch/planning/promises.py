"""Whether a re-plan keeps every appointment window promised on its day: a plan that would leave out a
windowed job, or have its technician arrive outside the window, is never applied."""
from __future__ import annotations

from dispatch.jobs.status import ROUTED_STATUSES
from dispatch.planning.day_problem import DayProblem
from dispatch.routing import RoutingResult


def promised_on_day(day_problem: DayProblem) -> frozenset[str]:
    """The jobs on this day's routes whose visit carries a confirmed window (read while the day's
    transaction is open: the check after the solve reads no row)."""
    return frozenset(
        visit.id for visit in day_problem.problem.visits
        if visit.time_windows and day_problem.jobs[visit.id].window_start is not None
        and day_problem.jobs[visit.id].status in ROUTED_STATUSES and day_problem.jobs[visit.id].plan_day == day_problem.day)


def broken_windows(day_problem: DayProblem, result: RoutingResult, promised: frozenset[str]) -> list[str]:
    """The `promised` jobs the result drops or starts outside their window, sorted. Jobs still waiting
    to be placed are not among them: leaving one out breaks nothing already promised on this day."""
    starts = {stop.visit_id: stop.start for route in result.routes for stop in route.stops if stop.kind == "visit"}
    visits = day_problem.problem.visit_by_id
    return sorted(number for number in promised
                  if starts.get(number) is None
                  or not any(window.contains(starts[number]) for window in visits[number].time_windows))
