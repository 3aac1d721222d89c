"""Parts-aware routing: a visit needing a part is served from a van that holds it, or after a
pickup at a depot holding it (same route, earlier, not before the part is there), whichever is
cheaper; with no source at all it is unassigned with the reason. Solver and live insertion."""
from __future__ import annotations

import pytest

from dispatch.routing import InvalidProblem, RoutingProblem, solve
from dispatch.routing.insertion import PlannedRoute, insert_visit
from dispatch.routing.model import PartDepot, Pickup
from dispatch.routing.result import NO_PART, UNREACHABLE
from dispatch.routing.vroom_io import VroomInput, problem_to_vroom, write_vroom_solution

from .builders import HOUR, MIN, line, problem, tech, visit

LIMIT = 0.5


def kinds(route):
    return [(s.kind, s.visit_id, s.depot_id) for s in route.stops if s.kind in ("visit", "pickup")]


def assert_pickup_precedes(route, visit_id, depot: PartDepot, part: str):
    stops = route.stops
    pickup = next(k for k, s in enumerate(stops) if s.kind == "pickup" and s.visit_id == visit_id)
    served = next(k for k, s in enumerate(stops) if s.kind == "visit" and s.visit_id == visit_id)
    assert pickup < served
    assert stops[pickup].depot_id == depot.id and stops[pickup].location == depot.location
    assert stops[pickup].start >= depot.parts[part]  # not collected before it is there
    assert stops[pickup].departure - stops[pickup].start == depot.pickup_service


def van_case():
    # "van" (at 0) holds the part; "plain" (at 2) would have to fetch it from the far warehouse at 6.
    warehouse = PartDepot("wh", 6, {"P1": 0})
    return problem([tech("van", at=0, van_parts={"P1"}), tech("plain", at=2)],
                   [visit("fix", 3, needs_parts=("P1",))], line(), [warehouse])


def pickup_case():
    # Nobody's van holds it; the warehouse at 5 receives it at 10:00.
    warehouse = PartDepot("wh", 5, {"P1": 10 * HOUR}, pickup_service=15 * MIN)
    return problem([tech("t", at=0)], [visit("fix", 2, needs_parts=("P1",)), visit("other", 1)],
                   line(), [warehouse]), warehouse


def cheaper_case():
    # The van holding the part is 12 units (2 h) away; "near" passes the depot at 1 on the way to 2.
    depot = PartDepot("counter", 1, {"P1": 0})
    return problem([tech("far-van", at=12, van_parts={"P1"}), tech("near", at=0)],
                   [visit("fix", 2, needs_parts=("P1",))], line(13), [depot]), depot


def test_a_van_holding_the_part_serves_the_visit_without_a_pickup():
    result = solve(van_case(), time_limit=LIMIT)
    assert not result.unassigned and result.feasible
    assert result.assignment() == {"fix": "van"}
    assert kinds(result.route_of("van")) == [("visit", "fix", None)]
    assert result.route_of("van").pickups == []


def test_without_a_van_holding_it_a_pickup_at_the_depot_precedes_the_visit():
    p, warehouse = pickup_case()
    result = solve(p, time_limit=LIMIT)
    assert not result.unassigned and result.feasible
    route = result.route_of("t")
    assert_pickup_precedes(route, "fix", warehouse, "P1")
    assert route.pickups == [Pickup("wh", "fix")]
    assert route.visit_ids.count("fix") == 1 and set(route.visit_ids) == {"fix", "other"}
    # ETAs stay consistent with the matrix through the pickup stop (no breaks here).
    for prev, cur in zip(route.stops, route.stops[1:]):
        assert cur.arrival == prev.departure + int(p.durations[prev.location, cur.location])
        assert cur.start == cur.arrival + cur.waiting


def test_the_cheaper_of_van_and_pickup_wins():
    p, depot = cheaper_case()
    result = solve(p, time_limit=LIMIT)
    assert result.assignment() == {"fix": "near"}
    assert kinds(result.route_of("near")) == [("pickup", "fix", "counter"), ("visit", "fix", None)]
    assert_pickup_precedes(result.route_of("near"), "fix", depot, "P1")
    # The other way round: the van holder next door beats a detour to the depot.
    swapped = problem([tech("van", at=2, van_parts={"P1"}), tech("near", at=0)],
                      [visit("fix", 3, needs_parts=("P1",))], line(13), [PartDepot("counter", 8, {"P1": 0})])
    assert solve(swapped, time_limit=LIMIT).assignment() == {"fix": "van"}


def test_a_part_nobody_holds_leaves_the_visit_unassigned_with_the_reason():
    p = problem([tech("t", van_parts={"P1"})],
                [visit("fix", 2, needs_parts=("P9",)), visit("ok", 1, needs_parts=("P1",))],
                line(), [PartDepot("wh", 5, {"P1": 0})])
    result = solve(p, time_limit=LIMIT)
    [missing] = result.unassigned
    assert (missing.visit_id, missing.code) == ("fix", NO_PART) and "P9" in missing.reason
    assert result.route_of("t").visit_ids == ["ok"] and result.route_of("t").pickups == []


def test_a_part_arriving_after_the_shift_makes_the_visit_unreachable():
    p = problem([tech("t")], [visit("fix", 2, needs_parts=("P1",))], line(),
                [PartDepot("wh", 5, {"P1": 20 * HOUR})])
    [missing] = solve(p, time_limit=LIMIT).unassigned
    assert missing.code == UNREACHABLE


def test_the_depot_where_the_part_is_there_sooner_is_used():
    # The nearer counter only gets the part at 15:30: too late for the 30-minute job before 16:00
    # after collecting it; the warehouse further away has it now.
    early = PartDepot("far-wh", 4, {"P1": 0})
    late = PartDepot("near-counter", 1, {"P1": 15 * HOUR + 30 * MIN})
    p = problem([tech("t")], [visit("fix", 2, needs_parts=("P1",))], line(), [late, early])
    route = solve(p, time_limit=LIMIT).route_of("t")
    assert route.pickups == [Pickup("far-wh", "fix")]


def test_several_visits_share_a_depot_with_one_pickup_each():
    wh = PartDepot("wh", 1, {"P1": 0, "P2": 0})
    p = problem([tech("t"), tech("u", at=6)],
                [visit("a", 2, needs_parts=("P1",)), visit("b", 3, needs_parts=("P2", "P1")), visit("c", 5)],
                line(), [wh])
    result = solve(p, time_limit=LIMIT)
    assert not result.unassigned
    for route in result.routes:
        for vid in route.visit_ids:
            if vid in ("a", "b"):
                assert_pickup_precedes(route, vid, wh, "P1")


def test_parts_settings_are_validated():
    with pytest.raises(InvalidProblem):
        problem([tech("t")], [visit("v", 1)], line(3), [PartDepot("wh", 9, {"P1": 0})])
    with pytest.raises(InvalidProblem):
        problem([tech("t")], [visit("v", 1)], line(3), [PartDepot("wh", 1), PartDepot("wh", 2)])
    with pytest.raises(InvalidProblem):
        PartDepot("wh", 1, {"P1": 0}, pickup_service=-1)
    with pytest.raises(InvalidProblem):
        visit("v", 1, needs_parts="P1")
    with pytest.raises(InvalidProblem):
        tech("t", van_parts="P1")
    assert visit("v", 1, needs_parts=["P1", "P2", "P1"]).needs_parts == ("P1", "P2")


# --- live insertion ---------------------------------------------------------------------------

def travel_of(p, tech_id, sequence):
    from dispatch.routing.schedule import schedule

    visits = p.visit_by_id
    items = [s if isinstance(s, Pickup) else visits[s] for s in sequence]
    return schedule(p, p.technician_by_id[tech_id], items).travel_seconds


def test_insertion_gives_the_visit_to_the_van_holding_the_part():
    p = van_case()
    res = insert_visit(p, [], p.visit_by_id["fix"])
    assert res.feasible and res.technician_id == "van" and res.pickup is None
    assert res.sequence == ("fix",) and res.route.pickups == []


def test_insertion_adds_a_pickup_before_the_visit_when_no_van_holds_the_part():
    p, warehouse = pickup_case()
    res = insert_visit(p, [PlannedRoute("t", ["other"])], p.visit_by_id["fix"])
    assert res.feasible and res.technician_id == "t"
    depot_id, index = res.pickup
    assert depot_id == "wh" and res.sequence[index] == Pickup("wh", "fix")
    assert res.sequence.index("fix") > index
    assert_pickup_precedes(res.route, "fix", warehouse, "P1")
    assert res.added_travel == travel_of(p, "t", res.sequence) - travel_of(p, "t", ["other"])
    assert res.position == res.route.visit_ids.index("fix")


def test_insertion_prefers_the_cheaper_pickup_route_over_a_far_van():
    p, depot = cheaper_case()
    res = insert_visit(p, [], p.visit_by_id["fix"])
    assert res.feasible and res.technician_id == "near" and res.pickup == ("counter", 0)
    assert res.sequence == (Pickup("counter", "fix"), "fix")
    assert res.added_travel == 40 * MIN  # 0 -> 1 -> 2 -> 0


def test_insertion_keeps_planned_pickups_and_places_a_new_one_anywhere_before_the_visit():
    wh = PartDepot("wh", 1, {"P1": 0, "P2": 0})
    p = problem([tech("t")], [visit("a", 6, needs_parts=("P1",)), visit("b", 2), visit("c", 5, needs_parts=("P2",))],
                line(), [wh])
    planned = [PlannedRoute("t", [Pickup("wh", "a"), "b", "a"], locked=1)]
    res = insert_visit(p, planned, p.visit_by_id["c"])
    assert res.feasible
    seq = list(res.sequence)
    assert seq[0] == Pickup("wh", "a") and seq.index(Pickup("wh", "c")) < seq.index("c")
    assert [s.kind for s in res.route.stops].count("pickup") == 2
    # Both parts come from the depot right at the start: one stop there, no extra travel for "c"'s part.
    assert seq[:2] == [Pickup("wh", "a"), Pickup("wh", "c")]
    assert res.added_travel == travel_of(p, "t", seq) - travel_of(p, "t", planned[0].visit_ids)


def test_insertion_without_any_source_for_the_part_says_so():
    p = problem([tech("t")], [visit("fix", 2, needs_parts=("P9",))], line(), [PartDepot("wh", 5, {"P1": 0})])
    res = insert_visit(p, [], p.visit_by_id["fix"])
    assert not res.feasible and res.code == NO_PART and "P9" in res.reason
    late = problem([tech("t")], [visit("fix", 2, needs_parts=("P1",))], line(), [PartDepot("wh", 5, {"P1": 20 * HOUR})])
    assert insert_visit(late, [], late.visit_by_id["fix"]).code == UNREACHABLE


def test_vroom_output_writes_pickup_steps_and_refuses_parts_input():
    p, warehouse = pickup_case()
    result = solve(p, time_limit=LIMIT)
    vin = VroomInput(p, {v.id: v.id for v in p.visits}, {t.id: t.id for t in p.technicians}, None)
    out = write_vroom_solution(result, vin)
    steps = out["routes"][0]["steps"]
    types = [s["type"] for s in steps]
    pick = steps[types.index("pickup")]
    assert types.index("pickup") < next(k for k, s in enumerate(steps) if s.get("id") == "fix" and s["type"] == "job")
    assert (pick["id"], pick["description"], pick["location_index"]) == ("fix", "wh", warehouse.location)
    assert pick["service"] == warehouse.pickup_service
    assert out["routes"][0]["service"] == 2 * 30 * MIN + warehouse.pickup_service
    with pytest.raises(InvalidProblem):
        problem_to_vroom(p)


def parts_day(seed=4):
    """The synthetic day with parts: a third of the jobs need one of three parts, two depots (one
    gets part C only at 11:00), some vans hold part A."""
    from dataclasses import replace

    from dispatch.routing.synthetic import field_service_day

    day = field_service_day(jobs=60, technicians=12, seed=seed).problem
    techs = tuple(replace(t, van_parts=frozenset({"A"})) if k % 3 == 0 else t for k, t in enumerate(day.technicians))
    visits = tuple(replace(v, needs_parts=(("A", "B", "C")[i % 3],)) if i % 3 == 0 else v
                   for i, v in enumerate(day.visits))
    depots = (PartDepot("north", 12, {"A": 0, "B": 0}), PartDepot("south", 40, {"B": 0, "C": 11 * HOUR}))
    return RoutingProblem(techs, visits, day.durations, day.distances, depots)


def assert_parts_rules(p, result):
    from dispatch.routing.schedule import schedule

    techs, visits, depots = p.technician_by_id, p.visit_by_id, p.depot_by_id
    for route in result.routes:
        tech = techs[route.technician_id]
        picked = {}
        for k, stop in enumerate(route.stops):
            if stop.kind == "pickup":
                depot = depots[stop.depot_id]
                assert depot.holds(visits[stop.visit_id].needs_parts)
                assert stop.start >= depot.available_from(visits[stop.visit_id].needs_parts)
                picked[stop.visit_id] = k
            elif stop.kind == "visit" and visits[stop.visit_id].needs_parts and not tech.holds_parts(visits[stop.visit_id]):
                assert picked.get(stop.visit_id, k) < k, f"{stop.visit_id} on {tech.id} without its part"
        assert set(picked) <= set(route.visit_ids)
        items = [s if isinstance(s, Pickup) else visits[s] for s in route.sequence]
        assert schedule(p, tech, items) is not None


@pytest.mark.parametrize("options", [{}, {"strategy": "decompose"}, {"vehicle_fixed_cost": 10**6}],
                         ids=["single", "decompose", "fleet"])
def test_every_search_strategy_keeps_the_parts_rules(options):
    p = parts_day()
    # How many visits a strategy serves in its budget is a benchmark's question (scripts/bench_routing.py):
    # on a loaded machine the budget buys less search. Here every strategy must keep the rules.
    result = solve(p, time_limit=2.0, **options)
    assert result.feasible and result.num_served + len(result.unassigned) == 60
    assert result.num_served > 0
    assert sum(len(r.pickups) for r in result.routes) > 0
    assert_parts_rules(p, result)


def test_a_plan_with_pickups_reads_back_as_a_warm_start():
    from dispatch.routing.candidates import PickupAt, precheck
    from dispatch.routing.options import SolveOptions
    from dispatch.routing.ortools_model import OrToolsModel
    from dispatch.routing.strategies import _to_global, _to_local

    p = parts_day()
    candidates, _ = precheck(p)
    opts = SolveOptions(time_limit=1.0)
    first = OrToolsModel(p, range(len(p.technicians)), sorted(candidates), candidates, opts)
    solution = first.run(first.search_parameters(0.5))
    plan = {k: seq for k, (seq, _) in _to_global(first, solution).items()}
    again = OrToolsModel(p, range(len(p.technicians)), sorted(candidates), candidates, opts)
    again.routing.CloseModelWithParameters(again.search_parameters(0.5))
    warm = again.read_routes(_to_local(again, plan))
    assert warm is not None and warm.ObjectiveValue() == solution.ObjectiveValue()
    # Without its pickups (e.g. a warm start given as visit ids), the pickup is put at the front.
    small, warehouse = pickup_case()
    result = solve(small, time_limit=LIMIT, initial_routes={"t": ["other", "fix"]})
    assert not result.unassigned
    assert_pickup_precedes(result.route_of("t"), "fix", warehouse, "P1")
    candidates, _ = precheck(small)
    model = OrToolsModel(small, [0], [0, 1], candidates, opts)
    model.routing.CloseModelWithParameters(model.search_parameters(0.5))
    local = _to_local(model, {0: [1, 0]})
    assert [model.global_item(n) for n in local[0]] == [PickupAt(0, 0), 1, 0]
    assert model.read_routes(local) is not None
    # A plan's own sequence (pickups included) is a warm start too.
    plan_day = parts_day()
    first_plan = solve(plan_day, time_limit=LIMIT)
    again = solve(plan_day, time_limit=LIMIT, initial_routes={r.technician_id: r.sequence for r in first_plan.routes})
    assert again.num_served >= first_plan.num_served
    assert_parts_rules(plan_day, again)


def test_insertions_into_a_real_plan_agree_with_the_schedule():
    # Every insertion's claimed extra travel is what the updated route really drives, the route is
    # feasible as returned, and the part is collected before the visit.
    from dataclasses import replace

    day = parts_day(seed=6)
    p = RoutingProblem(day.technicians, day.visits[:30], day.durations, day.distances, day.depots)  # room left
    plan = solve(p, time_limit=LIMIT)
    routes = [PlannedRoute(r.technician_id, r.sequence) for r in plan.routes]
    before = {r.technician_id: r.travel_seconds for r in plan.routes}
    depot_ids = {d.id for d in p.depots}
    tried = with_pickup = placed = 0
    for v in day.visits[30:]:
        new = replace(v, needs_parts=("B",) if tried % 2 else ("A",))
        grown = RoutingProblem(p.technicians, p.visits + (new,), p.durations, p.distances, p.depots)
        res = insert_visit(grown, routes, new)
        tried += 1
        if not res.feasible:
            continue
        placed += 1
        assert list(res.sequence) == res.route.sequence
        assert res.added_travel == travel_of(grown, res.technician_id, res.sequence) - before.get(res.technician_id, 0)
        if res.pickup is not None:
            with_pickup += 1
            assert res.pickup[0] in depot_ids and res.sequence[res.pickup[1]] == Pickup(res.pickup[0], new.id)
            assert_pickup_precedes(res.route, new.id, grown.depot_by_id[res.pickup[0]], new.needs_parts[0])
        else:
            assert grown.technician_by_id[res.technician_id].holds_parts(new)
    assert tried == 30 and placed >= 20 and 0 < with_pickup < placed
