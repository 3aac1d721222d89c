"""Live insertion on small hand-checkable problems (no database)."""
import numpy as np

from dispatch.routing.insertion import PlannedRoute, insert_visit
from dispatch.routing.model import Break, RoutingProblem, Technician, TimeWindow, Visit


def best_insertion(problem, routes, visit_id):
    """Routes as {technician: [visit ids]}; visits pinned in sequence count as the locked prefix."""
    visits = problem.visit_by_id
    planned = [PlannedRoute(tid, ids, locked=sum(1 for v in ids if visits[v].pinned_sequence is not None))
               for tid, ids in routes.items()]
    return insert_visit(problem, planned, visits[visit_id])

HOUR = 3600


def line_problem(technicians, visits, points):
    """Locations on a line, 1 unit = 60 s of driving, so travel times are easy to check by hand."""
    coords = np.array(points, dtype=np.int64)
    durations = np.abs(coords[:, None] - coords[None, :]) * 60
    return RoutingProblem(technicians=tuple(technicians), visits=tuple(visits), durations=durations)


def tech(tid, at=0, skills=None, shift=(8 * HOUR, 17 * HOUR), **kw):
    return Technician(id=tid, start_location=at, end_location=at, shift=TimeWindow(*shift),
                      skills=skills or {"fridge": 2}, **kw)


def test_the_new_visit_goes_between_two_stops_it_lies_between():
    # depot 0; existing stops at 10 and 20; the new job at 15 belongs between them.
    problem = line_problem([tech("t1")], [Visit("a", 1, 1800, required_skill="fridge"),
                                          Visit("b", 2, 1800, required_skill="fridge"),
                                          Visit("new", 3, 1800, required_skill="fridge")], [0, 10, 20, 15])
    found = best_insertion(problem, {"t1": ["a", "b"]}, "new")
    assert (found.technician_id, found.position) == ("t1", 1)
    assert found.added_travel == 0  # 10 -> 15 -> 20 costs the same as 10 -> 20
    assert [s.visit_id for s in found.route.stops if s.kind == "visit"] == ["a", "new", "b"]


def test_the_nearest_qualified_technician_wins_and_skills_are_respected():
    problem = line_problem([tech("near", at=1, skills={"washer": 2}), tech("far", at=2), tech("mid", at=3)],
                           [Visit("new", 4, 1800, required_skill="fridge")], [0, 49, 0, 40, 50])
    assert best_insertion(problem, {}, "new").technician_id == "mid"  # "near" lacks the skill


def test_work_under_way_is_never_preceded_by_the_new_visit():
    problem = line_problem([tech("t1")], [Visit("started", 1, 1800, required_skill="fridge", pinned_technician="t1",
                                                pinned_sequence=0),
                                          Visit("new", 2, 1800, required_skill="fridge")], [0, 30, 1])
    found = best_insertion(problem, {"t1": ["started"]}, "new")
    assert found.position == 1


def test_time_windows_and_the_end_of_the_shift_are_respected():
    problem = line_problem([tech("t1", shift=(8 * HOUR, 9 * HOUR))],
                           [Visit("new", 1, 3600, required_skill="fridge")], [0, 5])
    assert best_insertion(problem, {}, "new").route is None  # 1 h of work + travel does not fit 1 h
    windowed = line_problem([tech("t1")], [Visit("new", 1, 1800, required_skill="fridge",
                                                 time_windows=(TimeWindow(14 * HOUR, 15 * HOUR),))], [0, 5])
    stop = next(s for s in best_insertion(windowed, {}, "new").route.stops if s.kind == "visit")
    assert 14 * HOUR <= stop.start <= 15 * HOUR


def test_the_lunch_break_stays_inside_its_window():
    lunch = Break(TimeWindow(12 * HOUR, 13 * HOUR), 1800)
    problem = line_problem([tech("t1", shift=(11 * HOUR, 17 * HOUR), breaks=(lunch,))],
                           [Visit("a", 1, 2 * HOUR, required_skill="fridge"),
                            Visit("new", 2, 2 * HOUR, required_skill="fridge")], [0, 1, 2])
    route = best_insertion(problem, {"t1": ["a"]}, "new").route
    [brk] = [s for s in route.stops if s.kind == "break"]
    assert 12 * HOUR <= brk.start and brk.departure <= 13 * HOUR


def test_a_full_day_is_reported_with_the_reason():
    problem = line_problem([tech("t1", max_visits=1)], [Visit("a", 1, 600, required_skill="fridge"),
                                                        Visit("new", 2, 600, required_skill="fridge")], [0, 1, 2])
    found = best_insertion(problem, {"t1": ["a"]}, "new")
    assert found.route is None and "full" in found.reason


def test_no_qualified_technician_is_reported_with_the_reason():
    problem = line_problem([tech("t1", skills={"washer": 2})], [Visit("new", 1, 600, required_skill="fridge")], [0, 1])
    assert "skill" in best_insertion(problem, {}, "new").reason


def test_a_place_that_meets_the_deadline_beats_a_cheaper_late_one():
    # t1 is close but busy until late; t2 is further away but free now.
    problem = line_problem([tech("t1"), tech("t2", at=3)],
                           [Visit("busy", 1, 7 * HOUR, required_skill="fridge", pinned_technician="t1", pinned_sequence=0),
                            Visit("new", 2, 1800, required_skill="fridge", deadline=10 * HOUR)], [0, 1, 2, 60])
    found = best_insertion(problem, {"t1": ["busy"]}, "new")
    assert found.technician_id == "t2"
