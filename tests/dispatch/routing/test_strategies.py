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
