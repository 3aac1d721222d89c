"""scripts/route_validator.py on a hand-made day: a plan that keeps every rule passes, and a
deliberately broken plan is caught rule by rule (window, break, skill, cap)."""
from collections import Counter

import numpy as np
import pytest

from dispatch.routing.model import Break, RoutingProblem, Technician, TimeWindow, Visit
from scripts.bench_routing import day_plan, days_summary, run, without_breaks
from scripts.route_validator import validate

H, M = 3600, 60
HOP = 10 * M  # every pair of distinct places is ten minutes apart
LUNCH = Break(TimeWindow(12 * H, 13 * H), 30 * M)


def _tech(tid, home, skills, cap=None):
    return Technician(tid, home, home, TimeWindow(8 * H, 16 * H), breaks=(LUNCH,), skills=skills, max_visits=cap)


def _visit(vid, loc, service, skill="heat", window=None, level=1):
    windows = (TimeWindow(*window),) if window else ()
    return Visit(vid, loc, service, time_windows=windows, required_skill=skill, min_skill_level=level)


def _day() -> RoutingProblem:
    techs = (_tech("ok", 0, {"heat": 2}), _tech("late", 1, {"heat": 2}), _tech("lunchless", 2, {"heat": 2}),
             _tech("trainee", 3, {"heat": 1}), _tech("capped", 4, {"heat": 2}, cap=1),
             _tech("waits", 5, {"heat": 2}))
    visits = (
        _visit("a1", 10, 1 * H), _visit("a2", 11, 1 * H, window=(9 * H, 10 * H)),
        # 08:10 + 60 min service + 10 min drive: 09:20, after the 08:30 close.
        _visit("l1", 12, 1 * H), _visit("l2", 13, 30 * M, window=(8 * H, 8 * H + 30 * M)),
        # Four hours until 12:10, then a visit that must start at 12:20 and lasts to 13:20: on time,
        # but the 30-minute lunch inside 12:00-13:00 fits nowhere.
        _visit("b1", 14, 4 * H), _visit("b2", 15, 1 * H, window=(12 * H + 20 * M, 12 * H + 20 * M)),
        _visit("s1", 16, 30 * M, skill="gas"), _visit("s2", 17, 30 * M, level=3),
        _visit("c1", 18, 20 * M), _visit("c2", 19, 20 * M),
        # Arrives 08:10 and waits for 12:30: lunch goes inside the wait.
        _visit("w1", 20, 30 * M, window=(12 * H + 30 * M, 13 * H)),
    )
    durations = np.full((21, 21), HOP, dtype=np.int64)
    np.fill_diagonal(durations, 0)
    return RoutingProblem(techs, visits, durations)


def test_a_plan_keeping_every_rule_passes_and_counts_from_the_matrix():
    check = validate(_day(), {"ok": ["a1", "a2"], "waits": ["w1"], "capped": ["c1"]})
    assert check.violations == Counter(), check.details
    assert (check.served, check.routes) == (4, 3)
    assert check.travel == 3 * HOP + 2 * HOP + 2 * HOP  # home, stops, home


def test_a_broken_plan_is_caught_rule_by_rule():
    routes = {"ok": ["a1", "a2"], "late": ["l1", "l2"], "lunchless": ["b1", "b2"], "trainee": ["s1", "s2"],
              "capped": ["c1", "c2"]}
    check = validate(_day(), routes)
    assert check.violations == Counter({"window": 1, "break": 1, "skill": 2, "cap": 1}), check.details
    assert any("l2" in d for d in check.details if d.startswith("window"))
    assert check.served == 2  # only the clean route counts
    assert check.assigned == 10


def test_the_same_route_without_lunch_is_fine():
    day = without_breaks(_day())
    assert validate(day, {"lunchless": ["b1", "b2"]}).violations == Counter()


def test_service_time_follows_the_skill_level():
    # A trainee is 25 % slower: 75 minutes at a1, so a2 (window closing 09:25) is missed.
    day = _day()
    tight = Visit("t2", 11, 30 * M, time_windows=(TimeWindow(9 * H, 9 * H + 25 * M),), required_skill="heat")
    day = RoutingProblem(day.technicians, day.visits[:1] + (tight,), day.durations)
    assert validate(day, {"ok": ["a1", "t2"]}).violations == Counter()
    assert validate(day, {"trainee": ["a1", "t2"]}).violations == Counter({"window": 1})


def test_unknown_and_duplicate_visits_are_violations():
    check = validate(_day(), {"ok": ["a1", "zz"], "waits": ["a1"]})
    assert check.violations == Counter({"unknown_visit": 1, "duplicate_visit": 2})


def test_days_part_gives_pyvrp_the_day_without_breaks_and_ranks_ours_against_each_peer():
    assert day_plan(["ours", "vroom", "pyvrp"], ["ours"]) == [
        ("full", "ours"), ("full", "vroom"), ("no breaks", "ours"), ("no breaks", "pyvrp")]

    def row(solver, served, travel, violations=0):
        return {"day": "d", "variant": "full", "solver": solver, "served": served, "priority_served": served,
                "travel": travel, "violations": violations, "error": None}

    (line,) = days_summary([row("ours", 10, 100), row("vroom", 9, 120)])
    assert line["served"] == "1/0/0" and line["travel"] == "1/0/0" and line["served_and_travel"] == "1/1"
    (line,) = days_summary([row("ours", 10, 100, violations=1), row("vroom", 9, 120)])
    assert line["served"] == "0/0/1"  # a plan with a violation serves nothing


def test_vroom_answers_a_small_generated_day_within_every_rule():
    pytest.importorskip("vroom", reason="the bench extra (pyvroom) is not installed")
    from dispatch.routing.synthetic import product_day

    day = product_day(jobs=30, technicians=4, seed=3).problem
    out = run("vroom", day, 0.5, cost="duration", fixed_cost=0, required=False)
    assert out.error is None
    check = validate(day, out.routes)
    assert check.violations == Counter(), check.details
    assert check.served > 0
