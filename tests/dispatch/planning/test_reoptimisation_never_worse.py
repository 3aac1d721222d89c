"""Property: a re-optimisation applied automatically never leaves the day worse than the plan it
replaces, judged from the routes stored before and after (served visits first, then travel)."""
from __future__ import annotations

import random

import pytest

from core.geo import GreatCircleProvider
from dispatch.planning.models import PlanStatus
from dispatch.planning.services import _current_travel, _region_day, new_plan, run_plan
from tests.builders.core import make_region
from tests.builders.dispatch import make_asset, make_technician
from tests.conftest import NOW
from tests.dispatch.planning.test_live_dispatch import TZ, dispatch, report

PROVIDER = GreatCircleProvider()


def _day_worth(session, region) -> tuple[int, int]:
    session.expire_all()
    day_problem, _waiting = _region_day(session, region_id=region.id, day=NOW.astimezone(TZ).date(), tz=TZ,
                                        now=NOW, provider=PROVIDER)
    served = sum(len(route) for route in day_problem.routes.values())
    return served, _current_travel(day_problem)


def _near(rng: random.Random) -> tuple[float, float]:
    return 31.31 + rng.uniform(-0.08, 0.08), 120.62 + rng.uniform(-0.08, 0.08)


@pytest.mark.parametrize("seed", range(6))
def test_an_applied_reoptimisation_never_leaves_the_day_worse(session, seed):
    rng = random.Random(seed)
    region = make_region(session)
    for _ in range(rng.randint(1, 3)):
        make_technician(session, region=region, home=_near(rng), cap=rng.randint(2, 5))
    jobs = [report(session, make_asset(session, region=region, at=_near(rng))) for _ in range(rng.randint(4, 9))]
    # Live dispatch places the jobs one by one in report order: a day a whole solve can often improve.
    for job in jobs:
        dispatch(session, job)
    session.commit()
    served_before, travel_before = _day_worth(session, region)

    plan = new_plan(session, region=region, day=NOW.astimezone(TZ).date(), time_limit_s=0.3, apply_when_done=True,
                    requested_by="test", now=NOW)
    session.commit()
    run_plan(session, plan=plan, now=NOW, tz=TZ, provider=PROVIDER)
    session.commit()
    served_after, travel_after = _day_worth(session, region)

    assert plan.status in (PlanStatus.APPLIED, PlanStatus.DONE)
    assert (served_after, -travel_after) >= (served_before, -travel_before)
    if plan.status == PlanStatus.DONE:  # kept: the routes are exactly as they were
        assert plan.result.get("kept_current_routes") and (served_after, travel_after) == (served_before, travel_before)
    else:
        assert (served_after, -travel_after) > (served_before, -travel_before)
