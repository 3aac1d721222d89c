"""Appointment windows offered from the live plan and chosen by the customer: only windows live
insertion can keep are offered, soonest first, none after the repair deadline; a chosen window is a
hard promise for later insertions and re-plans, and the customer is told in the same transaction."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

import care  # noqa: F401  (subscribes the customer messages)
from care.customer_messages import TECHNICIAN_ASSIGNED, WINDOW_CHANGED, WINDOW_CONFIRMED
from care.models import OutboxMessage
from core.geo import GreatCircleProvider
from dispatch.jobs.audit import CUSTOMER, Actor
from dispatch.jobs.errors import ReasonNeeded
from dispatch.jobs.models import DispatchState, EventKind, Job, ResponseKind
from dispatch.jobs.status import JobStatus
from dispatch.planning.assignment import dispatch_job
from dispatch.planning.errors import PlanBreaksWindows
from dispatch.planning.models import PlanStatus
from dispatch.planning.promises import broken_windows
from dispatch.planning.services import _region_day, apply_plan, improves_the_day, new_plan, run_plan
from dispatch.planning.windows import WindowNotOffered, WindowsClosed, cancel_visit, choose_window, offer_windows
from dispatch.routing import RoutingResult
from tests.builders.core import make_region, make_user
from tests.builders.dispatch import make_asset, make_technician
from tests.conftest import NOW
from tests.dispatch.planning.test_live_dispatch import TZ, report

PROVIDER = GreatCircleProvider()


def local(day: int, hour: int) -> datetime:
    """A moment of November 2026 in Suzhou, as UTC."""
    return datetime(2026, 11, day, hour, tzinfo=TZ).astimezone(UTC)


def offers(session, job, now=NOW):
    return offer_windows(session, job=job, now=now, provider=PROVIDER, tz=TZ)


def choose(session, job, start, actor=CUSTOMER, now=NOW):
    return choose_window(session, job=job, start=start, end=start + timedelta(hours=2), actor=actor, now=now,
                         provider=PROVIDER, tz=TZ)


@pytest.fixture
def region(session):
    return make_region(session)


def test_windows_are_offered_soonest_first_from_now_and_none_after_the_repair_deadline(session, region):
    make_technician(session, region=region)  # 08:00-17:00 every day
    job = report(session, make_asset(session, region=region))  # Monday 10:00; repair by Thursday 10:00
    found = offers(session, job)
    starts = [w.start for w in found]
    assert starts == sorted(starts)
    assert starts[:3] == [local(23, 10), local(23, 12), local(23, 14)]  # 08:00 is past; 16:00-18:00 is after hours
    assert all(w.end - w.start == timedelta(hours=2) for w in found)
    # Thursday 08:00-10:00 still lets the repair start before the deadline; nothing later does.
    assert starts[-1] == local(26, 8) and max(starts) < job.repair_by
    assert len(found) == 3 + 4 + 4 + 1


def test_only_windows_a_qualified_technician_can_keep_are_offered(session, region):
    # The only fridge technician takes one job a day and already has today's.
    technician = make_technician(session, region=region, cap=1)
    make_technician(session, region=region, skills={"laundry": 3})
    first = report(session, make_asset(session, region=region))
    dispatch_job(session, job=first, now=NOW, tz=TZ, provider=PROVIDER)
    assert first.technician_id == technician.id and first.plan_day.isoformat() == "2026-11-23"
    job = report(session, make_asset(session, region=region, at=(31.32, 120.63)))
    found = offers(session, job)
    assert found and all(w.day.isoformat() != "2026-11-23" for w in found)
    assert found[0].start == local(24, 8) and found[0].technician_id == technician.id


def test_a_window_late_in_a_short_day_is_not_offered_when_the_visit_cannot_start_in_it(session, region):
    # Works until 15:00 only: a 14:00-16:00 window cannot be offered past the shift, and 12:00-14:00 fits.
    make_technician(session, region=region, end=time(15))
    job = report(session, make_asset(session, region=region))
    today = [w.start for w in offers(session, job) if w.day.isoformat() == "2026-11-23"]
    assert today == [local(23, 10), local(23, 12)]


def test_choosing_a_window_places_the_job_inside_it_and_tells_the_customer(session, region):
    technician = make_technician(session, region=region)
    job = report(session, make_asset(session, region=region))
    chosen = choose(session, job, local(24, 14))
    assert (job.window_start, job.window_end) == (local(24, 14), local(24, 16))
    assert job.window_confirmed_by == "customer" and job.window_confirmed_by_user_id is None
    assert job.window_confirmed_at == NOW
    assert job.status == JobStatus.ASSIGNED and job.dispatch_state == DispatchState.PLANNED
    assert job.technician_id == technician.id == chosen.technician_id
    assert local(24, 14) <= job.planned_start <= local(24, 16)
    assert job.response_kind == ResponseKind.WINDOW_CONFIRMED and job.responded_at == NOW
    assert job.events[-1].kind == EventKind.WINDOW_CONFIRMED and job.events[-1].data["changed"] is False
    # The history says it in local time, in the reader's language (a reason code with its facts).
    assert job.events[-1].note_code == "window_chosen"
    assert job.events[-1].note == "appointment window 2026-11-24 14:00–16:00 (local time)"
    purposes = session.scalars(select(OutboxMessage.purpose).where(OutboxMessage.job_id == job.id)).all()
    # The window is the promise: no separate "planned around" message.
    assert WINDOW_CONFIRMED in purposes and TECHNICIAN_ASSIGNED not in purposes


def test_an_agent_confirming_a_window_for_the_customer_is_their_response(session, region):
    make_technician(session, region=region)
    agent = make_user(session, username="agent.wu")
    job = report(session, make_asset(session, region=region))
    choose(session, job, local(23, 12), actor=Actor.staff(agent))
    assert job.window_confirmed_by == "agent.wu" and job.window_confirmed_by_user_id == agent.id
    assert job.responded_by_user_id == agent.id and job.response_kind == ResponseKind.WINDOW_CONFIRMED


def test_a_window_not_offered_is_refused_and_nothing_changes(session, region):
    make_technician(session, region=region, cap=1)
    job = report(session, make_asset(session, region=region))
    other = report(session, make_asset(session, region=region, at=(31.32, 120.63)))
    choose(session, other, local(23, 10))  # takes the technician's only visit today
    events = len(job.events)
    for start, end in [(local(23, 12), local(23, 14)),  # the day is full now
                       (local(23, 6), local(23, 8)),  # before now
                       (local(24, 9), local(24, 10)),  # not the offered length
                       (local(27, 10), local(27, 12))]:  # after the repair deadline
        with pytest.raises(WindowNotOffered):
            choose_window(session, job=job, start=start, end=end, actor=CUSTOMER, now=NOW, provider=PROVIDER, tz=TZ)
    assert job.window_start is None and job.dispatch_state == DispatchState.PENDING and len(job.events) == events


def test_a_chosen_window_is_kept_by_later_insertions_of_other_jobs(session, region):
    make_technician(session, region=region)
    windowed = report(session, make_asset(session, region=region, at=(31.35, 120.62)))
    choose(session, windowed, local(23, 14))
    # Nearby work arriving later goes in before it; without the window, live insertion would pull the
    # windowed visit forward to follow straight after it.
    for at in [(31.33, 120.62), (31.34, 120.62)]:
        other = report(session, make_asset(session, region=region, at=at))
        assert dispatch_job(session, job=other, now=NOW, tz=TZ, provider=PROVIDER).planned
        assert other.planned_start < local(23, 14)
        assert local(23, 14) <= windowed.planned_start <= local(23, 16)


def test_a_re_plan_never_breaks_an_appointment_window(session, region):
    make_technician(session, region=region)
    windowed = report(session, make_asset(session, region=region, at=(31.35, 120.62)))
    choose(session, windowed, local(23, 16 - 2))
    for at in [(31.33, 120.62), (31.34, 120.62), (31.36, 120.63)]:
        report(session, make_asset(session, region=region, at=at))  # waiting: the plan places them
    plan = new_plan(session, region=region, day=NOW.astimezone(TZ).date(), time_limit_s=1.0, apply_when_done=True,
                    requested_by="scheduler", now=NOW)
    run_plan(session, plan=plan, now=NOW, tz=TZ, provider=PROVIDER)
    assert plan.result["broken_windows"] == []
    assert plan.status == PlanStatus.APPLIED and plan.result["served"] == 4
    session.refresh(windowed)
    assert local(23, 14) <= windowed.planned_start <= local(23, 16)


def test_a_plan_that_drops_a_windowed_job_is_found_out_and_never_applied(session, region):
    make_technician(session, region=region)
    windowed = report(session, make_asset(session, region=region))
    choose(session, windowed, local(23, 12))
    day_problem, _waiting = _region_day(session, region_id=region.id, day=NOW.astimezone(TZ).date(), tz=TZ, now=NOW,
                                        provider=PROVIDER)
    from dispatch.planning.promises import promised_on_day
    promised = promised_on_day(day_problem)
    assert promised == {windowed.number}
    empty = RoutingResult(status="empty", objective=0, routes=[], unassigned=[], solve_seconds=0.0, feasible=True)
    assert broken_windows(day_problem, empty, promised) == [windowed.number]
    # Even serving more with less travel, a plan breaking a window is no improvement.
    better = {"served_before": 1, "travel_seconds_before": 900, "served": 5, "travel_seconds": 100}
    assert improves_the_day(better) and not improves_the_day({**better, "broken_windows": [windowed.number]})
    plan = new_plan(session, region=region, day=NOW.astimezone(TZ).date(), time_limit_s=1.0, apply_when_done=False,
                    requested_by="dispatcher", now=NOW)
    plan.status, plan.result = PlanStatus.DONE, {"routes": [], "broken_windows": [windowed.number]}
    with pytest.raises(PlanBreaksWindows):
        apply_plan(session, plan=plan, now=NOW, tz=TZ, provider=PROVIDER, actor=CUSTOMER)
    assert windowed.dispatch_state == DispatchState.PLANNED and plan.status == PlanStatus.STALE


def test_choosing_another_window_reschedules_and_says_the_window_changed(session, region):
    make_technician(session, region=region)
    job = report(session, make_asset(session, region=region))
    choose(session, job, local(23, 12))
    choose(session, job, local(25, 8))
    assert (job.window_start, job.plan_day.isoformat()) == (local(25, 8), "2026-11-25")
    assert local(25, 8) <= job.planned_start <= local(25, 10)
    assert job.events[-1].data["changed"] is True
    changed = session.scalars(select(OutboxMessage).where(OutboxMessage.job_id == job.id,
                                                          OutboxMessage.purpose == WINDOW_CHANGED)).all()
    assert len(changed) == 1 and "2026-11-25 between 08:00 and 10:00" in changed[0].body
    # The same window again (a double tap) changes nothing and tells nobody.
    choose(session, job, local(25, 8))
    assert session.scalar(select(OutboxMessage.id).where(OutboxMessage.purpose == WINDOW_CHANGED).offset(1)) is None


def test_no_window_once_the_technician_is_on_the_way_and_no_cancel_either(session, region):
    make_technician(session, region=region)
    job = report(session, make_asset(session, region=region))
    choose(session, job, local(23, 10))
    job.status = JobStatus.EN_ROUTE
    assert offers(session, job) == []
    with pytest.raises(WindowsClosed):
        choose(session, job, local(24, 10))
    with pytest.raises(WindowsClosed):
        cancel_visit(session, job=job, reason="No longer needed", actor=CUSTOMER, now=NOW)


def test_the_customer_cancels_before_the_visit_with_a_reason(session, region):
    make_technician(session, region=region)
    job = report(session, make_asset(session, region=region))
    choose(session, job, local(23, 10))
    with pytest.raises(ReasonNeeded):
        cancel_visit(session, job=job, reason="  no ", actor=CUSTOMER, now=NOW)
    assert job.status == JobStatus.ASSIGNED
    cancel_visit(session, job=job, reason="Fixed it myself", actor=CUSTOMER, now=NOW)
    assert job.status == JobStatus.CANCELLED and job.technician_id is None
    assert job.events[-1].note == "Fixed it myself" and job.events[-1].actor_label == "customer"


def test_a_dispatcher_s_move_keeps_the_window_and_a_move_that_cannot_is_refused(session, region):
    from dispatch.planning.errors import CannotMove
    from dispatch.planning.moves import move_job

    first = make_technician(session, region=region)
    second = make_technician(session, region=region, home=(31.32, 120.63))
    late_starter = make_technician(session, region=region, start=time(16))  # 16:00-17:00 only
    job = report(session, make_asset(session, region=region))
    choose(session, job, local(23, 12))
    dispatcher = Actor.staff(make_user(session, username="dispatch.he"))
    other = second if job.technician_id == first.id else first
    move_job(session, job=job, technician=other, actor=dispatcher, now=NOW, tz=TZ, provider=PROVIDER)
    assert job.technician_id == other.id and local(23, 12) <= job.planned_start <= local(23, 14)
    with pytest.raises(CannotMove):
        move_job(session, job=job, technician=late_starter, actor=dispatcher, now=NOW, tz=TZ, provider=PROVIDER)
    session.rollback()


def test_an_agent_rebooking_the_window_tells_the_customer_it_changed(session, region):
    make_technician(session, region=region)
    agent = Actor.staff(make_user(session, username="agent.qian"))
    job = report(session, make_asset(session, region=region))
    choose(session, job, local(24, 10))
    choose(session, job, local(24, 14), actor=agent)
    [changed] = session.scalars(select(OutboxMessage).where(OutboxMessage.job_id == job.id,
                                                            OutboxMessage.purpose == WINDOW_CHANGED)).all()
    assert "between 14:00 and 16:00" in changed.body
    assert job.window_confirmed_by == "agent.qian" and job.events[-1].actor_label == "agent.qian"


def test_a_visit_planned_after_its_window_passed_is_news_to_the_customer(session, region):
    from care.customer_messages import VISIT_MOVED
    from dispatch.planning.services import RouteChange, place_job

    technician = make_technician(session, region=region)
    job = report(session, make_asset(session, region=region))
    choose(session, job, local(23, 10))
    later = NOW + timedelta(hours=6)  # 16:00: the window is over and nobody came
    start = local(24, 9)
    place_job(session, RouteChange(job, technician, 0, start, start + timedelta(minutes=45), needs_parts=False),
              day=start.astimezone(TZ).date(), actor=CUSTOMER, now=later, note="re-planned")
    moved = session.scalars(select(OutboxMessage).where(OutboxMessage.job_id == job.id,
                                                        OutboxMessage.purpose == VISIT_MOVED)).all()
    assert len(moved) == 1 and "2026-11-24" in moved[0].body


def test_customers_racing_for_one_window_never_share_a_technician_s_slot(database_url, engine, session, region):
    if not database_url.startswith("postgresql"):
        pytest.skip("racing choices are tested on PostgreSQL; SQLite serialises every writer")
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from core.db import make_session_factory

    technician = make_technician(session, region=region, cap=2)  # room for two visits a day
    numbers = [report(session, make_asset(session, region=region, at=(31.30 + n * 0.004, 120.61))).number
               for n in range(4)]
    session.commit()
    factory = make_session_factory(engine)
    barrier = Barrier(len(numbers))

    def choose_in_own_transaction(number: str) -> bool:
        with factory() as own:
            job = own.scalar(select(Job).where(Job.number == number).with_for_update())
            barrier.wait()
            try:
                choose(own, job, local(23, 14))
            except WindowNotOffered:
                own.rollback()
                return False
            own.commit()
            return True

    with ThreadPoolExecutor(len(numbers)) as pool:
        chosen = list(pool.map(choose_in_own_transaction, numbers))
    assert sum(chosen) == 2
    session.expire_all()
    jobs = list(session.scalars(select(Job).where(Job.technician_id == technician.id).order_by(Job.route_position)))
    assert len(jobs) == 2 and all(local(23, 14) <= j.planned_start <= local(23, 16) for j in jobs)
    assert jobs[0].planned_end <= jobs[1].planned_start
    assert {j.number for j in jobs} == {n for n, won in zip(numbers, chosen) if won}
    assert all(j.window_start is None for j in session.scalars(select(Job).where(Job.technician_id.is_(None))))
