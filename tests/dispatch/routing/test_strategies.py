from __future__ import annotations

import pytest

from dispatch.routing.options import SolveOptions
from dispatch.routing.strategies import _temperatures

from .builders import line, problem, tech, visit

UNIT = 600  # seconds per unit of the line


def test_annealing_temperatures_are_multiples_of_the_plans_mean_arc_whatever_the_cost_scale():
    techs = [tech("a"), tech("b")]
    visits = [visit(f"v{i}", i + 1) for i in range(4)]
    # a: 0 -> 1 -> 2 -> 0 (4 units), b: 0 -> 3 -> 4 -> 0 (8 units): 12 units over 6 arcs.
    routes = {0: ([0, 1], []), 1: ([2, 3], [])}
    tune = {"t_start": 10.0, "t_end": 0.1}
    opts = SolveOptions(time_limit=1.0)
    in_seconds = _temperatures(problem(techs, visits, line()), routes, opts, tune)
    in_milliseconds = _temperatures(problem(techs, visits, line() * 1000), routes, opts, tune)
    assert in_seconds == pytest.approx((10 * 2 * UNIT, 0.1 * 2 * UNIT))
    assert in_milliseconds == pytest.approx((in_seconds[0] * 1000, in_seconds[1] * 1000))


def test_ruin_and_recreate_can_reinsert_removed_visits_in_a_chosen_order():
    from ortools.constraint_solver import pywrapcp
    from ortools.constraint_solver import routing_heuristic_parameters_pb2 as heur_pb2

    from dispatch.routing.ortools_model import configure_ils

    params = pywrapcp.DefaultRoutingSearchParameters()
    configure_ils(params, insertion_order=["random"])
    lci = params.iterated_local_search_parameters.ruin_recreate_parameters.recreate_strategy.parameters
    assert list(lci.local_cheapest_insertion.insertion_sorting_properties) == [
        heur_pb2.LocalCheapestInsertionParameters.SORTING_PROPERTY_RANDOM]
    with pytest.raises(ValueError):
        configure_ils(pywrapcp.DefaultRoutingSearchParameters(), insertion_order=["alphabetical"])


def test_a_big_day_is_polished_by_sisr_around_what_it_does_not_model():
    """A day with a started visit (a locked sequence) and one needing a part from a depot: SISR
    polishes the other technicians and leaves those two routes as the model made them."""
    from dataclasses import replace

    from dispatch.routing import PartDepot, solve
    from dispatch.routing.synthetic import product_day

    day = product_day(jobs=150, technicians=15, seed=3).problem
    first, parts = day.visits[0], day.visits[1]
    pinned_tech = next(t for t in day.technicians if t.can_do(first))
    visits = list(day.visits)
    visits[0] = replace(first, pinned_technician=pinned_tech.id, pinned_sequence=0, time_windows=())
    visits[1] = replace(parts, needs_parts=("P1",))
    depot = PartDepot("wh", location=visits[2].location, parts={"P1": 0})
    p = replace(day, visits=tuple(visits), depots=(depot,))
    result = solve(p, time_limit=4.0, strategy="decompose")
    assert result.feasible
    route = next(r for r in result.routes if r.technician_id == pinned_tech.id)
    assert route.visit_ids[0] == first.id
    assert 0 < result.stats["sisr_technicians"] < len(p.technicians)
    assert result.stats["after_sisr"] <= result.stats["before_sisr"]


def test_a_big_days_sisr_phase_keeps_on_time_the_visits_due_today_and_polishes_their_routes_too():
    """A third of the jobs are due within the day (a deadline lateness costs): those the plan serves on
    time stay on time, and SISR still works on their technicians' routes (none frozen for it)."""
    from dataclasses import replace

    from dispatch.routing import solve
    from dispatch.routing.synthetic import product_day

    day = product_day(jobs=150, technicians=15, seed=4).problem
    due = {v.id for v in day.visits[::3]}
    p = replace(day, visits=tuple(replace(v, deadline=15 * 3600) if v.id in due else v for v in day.visits))
    result = solve(p, time_limit=4.0, strategy="decompose")
    assert result.feasible
    late_before = result.stats["late_visits_before_sisr"]
    # A technician is left out of SISR only for a visit served late.
    assert result.stats["sisr_technicians"] >= len(p.technicians) - late_before
    assert result.stats["after_sisr"] <= result.stats["before_sisr"]
    served_due = [s for r in result.routes for s in r.stops if s.kind == "visit" and s.visit_id in due]
    assert len(served_due) > 10 and sum(s.late > 0 for s in served_due) <= late_before
