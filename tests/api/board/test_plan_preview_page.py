"""The re-optimisation preview without a browser: what the solver says of its plan and how far each
customer's arrival moves, in the page's language; a stored status the page does not know is shown as
stored rather than refused."""
from __future__ import annotations

import re

import pytest

from dispatch.planning.models import PlanStatus
from dispatch.planning.services import new_plan
from tests.api.test_pages import sign_in
from tests.builders.fieldwork import build_field_world
from tests.conftest import NOW

AT = "2026-11-23T02:00:00+00:00"  # 10:00 in the region (Asia/Shanghai)


def _change(job: str, moved: int | None, *, before: str | None = "Wang", after: str | None = "Li") -> dict:
    return {"job": job, "technician_before": before, "start_before": AT if before else None,
            "technician_after": after, "start_after": AT if after else None, "moved_minutes": moved}


@pytest.fixture
def plan(session):
    world = build_field_world(session)
    plan = new_plan(session, region=world.region, day=NOW.date(), time_limit_s=1, apply_when_done=False,
                    requested_by="test", now=NOW)
    plan.status = PlanStatus.DONE
    plan.result = {"status": "feasible", "solve_seconds": 0.5, "served": 3, "travel_seconds_before": 3000,
                   "travel_seconds": 1500, "routes": [], "unassigned": [], "moved_over_30_min": 2,
                   "changes": [_change("AC-1", 45), _change("AC-2", -60), _change("AC-3", 0),
                               _change("AC-4", None, before=None), _change("AC-5", None, after=None)]}
    session.commit()
    return plan


def _moves(html: str) -> dict[str, str]:
    rows = re.findall(r'<tr data-job="(AC-\d)">.*?</td>\s*<td>.*?</td>\s*<td>.*?</td>\s*<td[^>]*>(.*?)</td>',
                      html, re.DOTALL)
    return {job: re.sub(r"<[^>]+>", "", moved).strip() for job, moved in rows}


@pytest.mark.parametrize("lang, solver, moves, count", [
    ("en", "Good plan found in 0.5 s",
     {"AC-1": "45 min later", "AC-2": "60 min earlier", "AC-3": "same time", "AC-4": "—", "AC-5": "—"},
     "more than 30 minutes: 2"),
    ("zh", "已找到可行方案，用时 0.5 秒",
     {"AC-1": "推迟 45 分钟", "AC-2": "提前 60 分钟", "AC-3": "时间不变", "AC-4": "—", "AC-5": "—"},
     "超过 30 分钟的客户：2"),
])
def test_the_preview_says_what_the_solver_found_and_which_way_each_arrival_moves(client, plan, lang, solver, moves,
                                                                                  count):
    sign_in(client, "dispatch.zhou")
    response = client.get(f"/dispatch/plans/{plan.id}?lang={lang}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert solver in html and count in html
    assert _moves(html) == moves
    assert "Wang 10:00" in html and "Li 10:00" in html


def test_a_stored_solver_status_the_page_does_not_know_is_shown_as_stored(client, session, plan):
    plan.result = {**plan.result, "status": "something_new"}
    session.commit()
    sign_in(client, "dispatch.zhou")
    response = client.get(f"/dispatch/plans/{plan.id}")
    assert response.status_code == 200 and "something_new in 0.5 s" in response.get_data(as_text=True)
