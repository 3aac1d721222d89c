"""Who may be dispatched to what: the model's minimum skill level and the certification's expiry."""
from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.geo import GreatCircleProvider
from dispatch.intake.services import FaultReport, report_fault
from dispatch.jobs.audit import CUSTOMER, Actor
from dispatch.jobs.models import Channel, DispatchState
from dispatch.planning.assignment import dispatch_job
from dispatch.planning.errors import CannotMove
from dispatch.planning.moves import move_job
from dispatch.routing import solve
from dispatch.routing.candidates import precheck
from dispatch.routing.result import NO_SKILL
from dispatch.technicians.models import Technician, TechnicianSkill
from dispatch.technicians.qualification import certified_on, qualifies, skills_on
from tests.builders.core import make_region
from tests.builders.dispatch import make_asset, make_model, make_technician
from tests.conftest import NOW
from tests.dispatch.routing.builders import line, problem, tech, visit

TZ = ZoneInfo("Asia/Shanghai")
TODAY = NOW.astimezone(TZ).date()  # 2026-11-23, a Monday
PROVIDER = GreatCircleProvider()


def _technician(*skills: TechnicianSkill) -> Technician:
    return Technician(skills=list(skills))


# --- the rule itself, without a database ---

def test_a_certification_is_valid_up_to_and_including_its_last_day():
    skill = TechnicianSkill(skill="refrigeration", level=2, certified_until=TODAY)
    assert certified_on(skill, TODAY)
    assert not certified_on(skill, TODAY + timedelta(days=1))


def test_a_certification_without_an_expiry_never_lapses():
    assert certified_on(TechnicianSkill(skill="refrigeration", level=2, certified_until=None), date(2099, 1, 1))


def test_an_expired_certification_stops_only_that_skill():
    technician = _technician(TechnicianSkill(skill="refrigeration", level=3, certified_until=TODAY - timedelta(days=1)),
                             TechnicianSkill(skill="laundry", level=2, certified_until=None))
    assert skills_on(technician, TODAY) == {"laundry": 2}
    assert not qualifies(technician, skill="refrigeration", min_level=1, day=TODAY)
    assert qualifies(technician, skill="laundry", min_level=2, day=TODAY)


def test_a_skill_below_the_models_minimum_level_does_not_qualify():
    technician = _technician(TechnicianSkill(skill="refrigeration", level=2, certified_until=None))
    assert qualifies(technician, skill="refrigeration", min_level=2, day=TODAY)
    assert not qualifies(technician, skill="refrigeration", min_level=3, day=TODAY)


def test_the_routing_core_sends_nobody_below_the_visits_minimum_level():
    durations = line(3)
    visits = [visit("v1", 1, min_skill_level=3)]
    _, unassigned = precheck(problem([tech("trainee", skills={"fridge": 2})], visits, durations))
    assert [(u.visit_id, u.code) for u in unassigned] == [("v1", NO_SKILL)]
    assert "at level 3 or above" in unassigned[0].reason
    result = solve(problem([tech("trainee", skills={"fridge": 2}), tech("expert", skills={"fridge": 3})], visits,
                           durations), time_limit=1)
    assert [r.technician_id for r in result.routes if r.visit_ids] == ["expert"]


# --- live dispatch reads the rule from the administration data ---

@pytest.fixture
def region(session):
    return make_region(session)


def _report(session, asset):
    job = report_fault(session, asset=asset, actor=CUSTOMER, now=NOW, tz=TZ,
                       report=FaultReport(Channel.QR, "The fridge is not cooling at all", "Li Lei", "13800000000")).job
    session.flush()
    return job


def _certify(technician: Technician, until: date | None) -> None:
    for skill in technician.skills:
        skill.certified_until = until


def test_a_model_needing_an_expert_goes_to_the_expert(session, region):
    make_technician(session, region=region, skills={"refrigeration": 2})  # nearer, but not senior enough
    expert = make_technician(session, region=region, skills={"refrigeration": 3}, home=(31.40, 120.70))
    model = make_model(session)
    model.min_skill_level = 3
    job = _report(session, make_asset(session, region=region, model=model))
    outcome = dispatch_job(session, job=job, now=NOW, tz=TZ, provider=PROVIDER)
    assert outcome.planned and outcome.technician.id == expert.id


def test_nobody_at_the_models_level_makes_the_job_unassignable_with_the_reason(session, region):
    make_technician(session, region=region, skills={"refrigeration": 2})
    model = make_model(session)
    model.min_skill_level = 3
    job = _report(session, make_asset(session, region=region, model=model))
    outcome = dispatch_job(session, job=job, now=NOW, tz=TZ, provider=PROVIDER)
    assert not outcome.planned and job.dispatch_state == DispatchState.UNASSIGNABLE
    assert "'refrigeration' skill at level 3 or above" in job.dispatch_note


def test_an_expired_certification_is_not_dispatched_and_a_valid_one_is(session, region):
    lapsed = make_technician(session, region=region)  # at the customer's door
    _certify(lapsed, TODAY - timedelta(days=1))
    certified = make_technician(session, region=region, home=(31.40, 120.70))
    _certify(certified, TODAY)  # its last valid day is today: still good
    job = _report(session, make_asset(session, region=region))
    outcome = dispatch_job(session, job=job, now=NOW, tz=TZ, provider=PROVIDER)
    assert outcome.planned and outcome.technician.id == certified.id != lapsed.id


def test_a_certification_lapsing_before_the_technicians_next_working_day_stops_that_day(session, region):
    # Works only on Tuesdays; certified until Monday (today): valid when asked, not on the day of work.
    technician = make_technician(session, region=region, weekdays=[1])
    _certify(technician, TODAY)
    job = _report(session, make_asset(session, region=region))
    outcome = dispatch_job(session, job=job, now=NOW, tz=TZ, provider=PROVIDER)
    assert not outcome.planned and job.dispatch_state == DispatchState.UNASSIGNABLE
    _certify(technician, TODAY + timedelta(days=1))
    outcome = dispatch_job(session, job=job, now=NOW, tz=TZ, provider=PROVIDER)
    assert outcome.planned and outcome.day == TODAY + timedelta(days=1)


def test_a_dispatcher_cannot_move_a_job_to_a_technician_below_the_models_level(session, region):
    trainee = make_technician(session, region=region, skills={"refrigeration": 1})
    model = make_model(session)
    model.min_skill_level = 2
    job = _report(session, make_asset(session, region=region, model=model))
    with pytest.raises(CannotMove, match="needs level 2"):
        move_job(session, job=job, technician=trainee, actor=Actor(label="dispatcher"), now=NOW, tz=TZ,
                 provider=PROVIDER)
    assert job.technician_id is None
