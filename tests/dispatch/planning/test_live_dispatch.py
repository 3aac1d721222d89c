"""Live dispatch against a real database: jobs land in the right technician's day with an ETA."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import time, timedelta
from threading import Barrier
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from core.db import make_session_factory
from core.geo import GreatCircleProvider
from core.work_queue import WorkItem
from dispatch.intake.services import FaultReport, report_fault
from dispatch.jobs.audit import CUSTOMER
from dispatch.jobs.models import Channel, DispatchState, Escalation, EventKind, Job, Priority
from dispatch.jobs.status import JobStatus
from dispatch.planning.assignment import dispatch_job
from dispatch.technicians.models import Technician
from tests.builders.core import make_region
from tests.builders.dispatch import make_asset, make_model, make_technician
from tests.conftest import NOW

TZ = ZoneInfo("Asia/Shanghai")
PROVIDER = GreatCircleProvider()


def report(session, asset, text="The fridge is not cooling at all", now=NOW) -> Job:
    job = report_fault(session, asset=asset, actor=CUSTOMER, now=now, tz=TZ,
                       report=FaultReport(Channel.QR, text, "Li Lei", "13800000000")).job
    session.flush()
    return job


def dispatch(session, job, now=NOW):
    outcome = dispatch_job(session, job=job, now=now, tz=TZ, provider=PROVIDER)
    session.flush()
    return outcome


@pytest.fixture
def region(session):
    return make_region(session)


def test_a_reported_defect_is_queued_then_planned_for_the_qualified_technician(session, region):
    plumber = make_technician(session, region=region, skills={"laundry": 3})
    fridge_tech = make_technician(session, region=region, skills={"refrigeration": 2})
    job = report(session, make_asset(session, region=region))
    assert job.dispatch_state == DispatchState.PENDING
    assert session.scalar(select(func.count()).select_from(WorkItem).where(WorkItem.kind == "dispatch_job")) == 1

    outcome = dispatch(session, job)
    assert outcome.planned and outcome.technician.id == fridge_tech.id != plumber.id
    assert job.status == JobStatus.ASSIGNED and job.dispatch_state == DispatchState.PLANNED
    assert job.plan_day.isoformat() == "2026-11-23" and job.route_position == 0
    # Reported 10:00 local; the technician is at home a few hundred metres away.
    assert NOW < job.planned_start < NOW + timedelta(minutes=30)
    assert job.planned_end - job.planned_start == timedelta(minutes=45)  # level 2: nominal service time
    kinds = [e.kind for e in job.events]
    assert kinds.count(EventKind.STATUS_CHANGED) == 2 and EventKind.PLANNED in kinds


def test_a_usage_question_is_not_sent_to_anyone(session, region):
    make_technician(session, region=region)
    job = report(session, make_asset(session, region=region), text="How do I set the eco mode? 请问怎么设置")
    assert job.dispatch_state == DispatchState.NOT_NEEDED
    # Only the customer's "report received" message is queued; no dispatch work.
    assert session.scalars(select(WorkItem.kind)).all() == ["care_send_message"]


def test_an_expert_is_planned_with_a_shorter_visit(session, region):
    make_technician(session, region=region, skills={"refrigeration": 3})
    job = report(session, make_asset(session, region=region))
    dispatch(session, job)
    assert job.planned_end - job.planned_start == timedelta(minutes=36)  # 45 min x 0.8


def test_work_under_way_keeps_its_place_and_the_new_job_follows_it(session, region):
    technician = make_technician(session, region=region)
    first = report(session, make_asset(session, region=region, at=(31.35, 120.62)))
    dispatch(session, first)
    first.status = JobStatus.EN_ROUTE  # the technician is driving there
    second = report(session, make_asset(session, region=region, at=(31.311, 120.621)))
    dispatch(session, second)
    assert (first.technician_id, first.route_position) == (technician.id, 0)
    assert (second.technician_id, second.route_position) == (technician.id, 1)
    assert second.planned_start >= first.planned_end


def test_nobody_with_the_skill_means_unassignable_with_the_reason_and_an_escalation(session, region):
    make_technician(session, region=region, skills={"laundry": 2})
    job = report(session, make_asset(session, region=region))
    outcome = dispatch(session, job)
    assert not outcome.planned
    assert job.dispatch_state == DispatchState.UNASSIGNABLE
    assert "no technician in the region has the 'refrigeration' skill" in job.dispatch_note
    [escalation] = session.scalars(select(Escalation)).all()
    assert escalation.job_id == job.id and escalation.reason == job.dispatch_note
    assert job.events[-1].kind == EventKind.ESCALATED


def test_when_today_is_over_the_job_goes_to_the_next_working_day(session, region):
    # Works 08:00-17:00 on Tuesdays only; it is Monday 10:00.
    technician = make_technician(session, region=region, weekdays=[1])
    job = report(session, make_asset(session, region=region))
    outcome = dispatch(session, job)
    assert outcome.planned and outcome.technician.id == technician.id
    assert job.plan_day.isoformat() == "2026-11-24"
    assert job.planned_start.astimezone(TZ).time() >= time(8)


def test_a_job_that_cannot_be_done_before_its_deadline_is_escalated(session, region):
    # The only technician works Saturdays; the 3-day repair promise ends Thursday.
    make_technician(session, region=region, weekdays=[5])
    job = report(session, make_asset(session, region=region))
    assert not dispatch(session, job).planned
    assert "before the repair deadline" in job.dispatch_note


def test_the_lunch_break_is_respected(session, region):
    make_technician(session, region=region, break_minutes=45)
    jobs = []
    for n in range(6):
        jobs.append(report(session, make_asset(session, region=region, at=(31.31 + n * 0.01, 120.62))))
        dispatch(session, jobs[-1])
    intervals = sorted((j.planned_start, j.planned_end) for j in jobs if j.planned_start)
    gaps = [(b[0] - a[1]) for a, b in zip(intervals, intervals[1:])]
    assert any(gap >= timedelta(minutes=45) for gap in gaps), intervals


def test_cancelling_a_planned_job_frees_its_slot(session, region):
    make_technician(session, region=region)
    job = report(session, make_asset(session, region=region))
    dispatch(session, job)
    from dispatch.jobs.audit import SYSTEM
    from dispatch.jobs.services import transition_job

    transition_job(session, job=job, to=JobStatus.CANCELLED, actor=SYSTEM, now=NOW)
    assert job.technician_id is None and job.dispatch_state == DispatchState.NOT_NEEDED


def test_parallel_dispatch_never_gives_one_technician_overlapping_visits(database_url, engine, session, region):
    if not database_url.startswith("postgresql"):
        pytest.skip("racing dispatchers are tested on PostgreSQL; SQLite serialises every writer")
    technician = make_technician(session, region=region, cap=20)
    numbers = [report(session, make_asset(session, region=region, at=(31.30 + n * 0.004, 120.61 + n * 0.003))).number
               for n in range(8)]
    session.commit()
    factory = make_session_factory(engine)
    barrier = Barrier(len(numbers))

    def dispatch_in_own_transaction(number: str) -> bool:
        with factory() as own:
            job = own.scalar(select(Job).where(Job.number == number))
            barrier.wait()
            outcome = dispatch_job(own, job=job, now=NOW, tz=TZ, provider=PROVIDER)
            own.commit()
            return outcome.planned

    with ThreadPoolExecutor(len(numbers)) as pool:
        planned = list(pool.map(dispatch_in_own_transaction, numbers))
    assert all(planned)
    session.expire_all()
    jobs = list(session.scalars(select(Job).where(Job.technician_id == technician.id).order_by(Job.route_position)))
    assert [j.route_position for j in jobs] == list(range(len(numbers)))
    for earlier, later in zip(jobs, jobs[1:]):
        assert earlier.planned_end <= later.planned_start, (earlier.number, later.number)


def test_a_category_specific_sla_policy_wins_over_the_default(session, region):
    from dispatch.jobs.models import JobCategory, SlaPolicy

    session.add(SlaPolicy(code="install", name="Installations within 5 days", category=JobCategory.INSTALLATION,
                          respond_minutes=240, repair_minutes=5 * 24 * 60))
    install = report(session, make_asset(session, region=region), text="Please install the new unit")
    defect = report(session, make_asset(session, region=region))
    assert install.repair_by - install.reported_at == timedelta(days=5)
    assert defect.repair_by - defect.reported_at == timedelta(days=3)


def test_joining_a_busy_job_does_not_read_its_history(session, region, engine):
    from sqlalchemy import event as sa_event

    asset = make_asset(session, region=region)
    for n in range(30):
        report(session, asset, text=f"Still not cooling, call number {n}")
    session.commit()
    session.expire_all()  # as in a new request: nothing of the job is loaded yet
    statements = []
    listener = lambda conn, cursor, statement, *rest: statements.append(statement)  # noqa: E731
    sa_event.listen(engine, "before_cursor_execute", listener)
    try:
        report(session, asset, text="And again: still not cooling")
    finally:
        sa_event.remove(engine, "before_cursor_execute", listener)
    assert not [s for s in statements if s.lstrip().upper().startswith("SELECT") and "job_events" in s]


def test_the_search_locks_no_technician_and_a_route_changed_meanwhile_means_a_new_search(
        database_url, engine, session, region, monkeypatch):
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks are PostgreSQL's; SQLite serialises every writer")
    from dispatch.planning import assignment

    technician = make_technician(session, region=region, cap=20)
    first, second = (report(session, make_asset(session, region=region, at=(31.30 + n * 0.004, 120.61)))
                     for n in range(2))
    session.commit()
    factory = make_session_factory(engine)
    searches = []
    real_insert = assignment.insert_visit

    def insert_while_another_dispatch_lands(problem, routes, visit):
        searches.append(visit.id)
        with factory() as probe:
            # Nobody is locked while a search runs: another writer takes the technician at once.
            probe.execute(text("SET lock_timeout = '200ms'"))
            probe.execute(select(Technician.id).where(Technician.id == technician.id).with_for_update())
            probe.rollback()
        if len(searches) == 1:
            with factory() as other:
                dispatch_job(other, job=other.get(Job, second.id), now=NOW, tz=TZ, provider=PROVIDER)
                other.commit()
        return real_insert(problem, routes, visit)

    monkeypatch.setattr(assignment, "insert_visit", insert_while_another_dispatch_lands)
    with factory() as own:
        outcome = dispatch_job(own, job=own.get(Job, first.id), now=NOW, tz=TZ, provider=PROVIDER)
        own.commit()
    assert outcome.planned
    assert searches[:2] == [first.number, second.number] and searches.count(first.number) == 2
    session.expire_all()
    jobs = list(session.scalars(select(Job).where(Job.technician_id == technician.id).order_by(Job.route_position)))
    assert [j.route_position for j in jobs] == [0, 1]
    assert jobs[0].planned_end <= jobs[1].planned_start


def _a_full_day_with_a_washer_visit(session, region):
    both = make_technician(session, region=region, skills={"refrigeration": 2, "laundry": 2}, cap=1)
    washer_only = make_technician(session, region=region, skills={"laundry": 2}, home=(31.36, 120.68))
    low = report(session, make_asset(session, region=region, model=make_model(session, skill="laundry")),
                 text="The washing machine does not drain")
    assert dispatch(session, low).technician.id == both.id
    fridge = report(session, make_asset(session, region=region))
    return both, washer_only, low, fridge


def test_urgent_work_moves_a_lower_priority_visit_to_another_technician_to_be_served_today(session, region):
    both, washer_only, low, fridge = _a_full_day_with_a_washer_visit(session, region)
    fridge.priority = Priority.URGENT
    outcome = dispatch(session, fridge)
    assert outcome.planned and outcome.technician.id == both.id and outcome.day == NOW.astimezone(TZ).date()
    assert low.technician_id == washer_only.id and low.plan_day == outcome.day
    assert low.events[-1].note_code == "made_room_for" and low.events[-1].note_facts == {"job": fridge.number}


def test_normal_work_never_moves_anyone_else_s_visit(session, region):
    both, washer_only, low, fridge = _a_full_day_with_a_washer_visit(session, region)
    outcome = dispatch(session, fridge)
    assert outcome.day != NOW.astimezone(TZ).date() if outcome.planned else True
    assert low.technician_id == both.id and low.plan_day == NOW.astimezone(TZ).date()
