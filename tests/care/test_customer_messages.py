"""The customer hears of every step of their job, in their language and their region's local time, by
their preferred channel: the report, the planned visit, a move that matters, the technician on the way,
a part awaited, the completion. Each message is written in the transaction of the change that causes it."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from care import message_settings
from care.customer_messages import (
    JOB_COMPLETED,
    REPORT_RECEIVED,
    TECHNICIAN_ASSIGNED,
    TECHNICIAN_ON_THE_WAY,
    VISIT_MOVED,
    VISIT_UNPLANNED,
    WAITING_FOR_PART,
    tell_window,
)
from care.message_settings import MessageSettings
from care.models import MessageChannel, OutboxMessage
from care.opt_out import opt_out
from care.outbox import messages_of_job
from care.quiet_hours import quiet_until
from core.geo import GreatCircleProvider
from core.settings import Settings
from dispatch.jobs.audit import Actor
from dispatch.jobs.eta import EtaSource, live_eta
from dispatch.jobs.models import Priority
from dispatch.jobs.services import transition_job
from dispatch.jobs.status import JobStatus
from dispatch.planning.assignment import dispatch_job
from dispatch.planning.moves import move_job
from dispatch.planning.services import RouteChange, place_job, unplace_job
from inventory.models import JobPart, JobPartState
from tests.builders.care import make_open_job
from tests.builders.core import make_region, make_user
from tests.builders.dispatch import make_asset, make_technician
from tests.builders.inventory import make_part
from tests.conftest import NOW

SHANGHAI = ZoneInfo("Asia/Shanghai")
PROVIDER = GreatCircleProvider()
TECH = Actor(label="tech")


@pytest.fixture(autouse=True)
def known_links(monkeypatch):
    monkeypatch.setattr(message_settings, "_current", MessageSettings.of(
        Settings(public_base_url="https://care.example"), signing_key="test-signing-key-0123456789abcdef0123"))


@pytest.fixture
def region(session):
    return make_region(session)


def _messages(session, job, purpose=None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.job_id == job.id).order_by(OutboxMessage.id)
    if purpose:
        query = query.where(OutboxMessage.purpose == purpose)
    return list(session.scalars(query))


def _report(session, *, region=None, locale=None, now=NOW, phone="+86 138 0000 0001"):
    asset = make_asset(session, region=region, phone=phone)
    asset.customer.locale = locale
    return make_open_job(session, asset=asset, owner=None, now=now)


def _local(moment: datetime) -> str:
    return f"{moment.astimezone(SHANGHAI):%H:%M}"


def test_a_new_report_tells_the_customer_with_the_tracking_link_in_their_language(session):
    job = _report(session, locale="zh_CN")
    [message] = _messages(session, job)
    assert message.purpose == REPORT_RECEIVED and message.recipient == "sms:+86 138 1234 5678"
    assert message.subject == f"我们已收到您的报修：服务单 {job.number}"
    assert f"https://care.example/t/{job.tracking_token}" in message.body and "Thank you" not in message.body
    make_open_job(session, asset=job.asset, owner=None, now=NOW + timedelta(minutes=5))  # joins the open job
    assert len(_messages(session, job)) == 1  # a second report on the same job is not a new job


def test_a_customer_whose_language_is_unknown_reads_both(session):
    job = _report(session)
    [message] = _messages(session, job)
    assert message.subject == f"We received your report: job {job.number} / 我们已收到您的报修：服务单 {job.number}"
    assert "Thank you, Zhang Wei" in message.body and "谢谢您，Zhang Wei" in message.body


def test_the_first_planned_visit_names_the_day_and_the_local_time(session, region):
    make_technician(session, region=region)
    job = _report(session, region=region, locale="en")
    assert dispatch_job(session, job=job, now=NOW, tz=SHANGHAI, provider=PROVIDER).planned
    [planned] = _messages(session, job, TECHNICIAN_ASSIGNED)
    assert f"on 2026-11-23, arriving around {_local(job.planned_start)} (local time)" in planned.body
    assert f"{job.planned_start.astimezone(UTC):%H:%M}" not in planned.body  # never the UTC clock
    assert planned.data["planned_start"] == job.planned_start.isoformat()


def test_a_dispatchers_move_to_another_day_says_so_in_the_same_transaction(session, region):
    make_technician(session, region=region)
    tuesday_only = make_technician(session, region=region, weekdays=[1])
    job = _report(session, region=region, locale="en")
    dispatch_job(session, job=job, now=NOW, tz=SHANGHAI, provider=PROVIDER)
    session.commit()
    move_job(session, job=job, technician=tuesday_only, actor=Actor(label="dispatcher.wu"), now=NOW, tz=SHANGHAI,
             provider=PROVIDER)
    [moved] = _messages(session, job, VISIT_MOVED)
    assert moved.subject == f"Your visit moved to another day: job {job.number}"
    assert f"moved to another day: 2026-11-24, arriving around {_local(job.planned_start)}" in moved.body
    assert "instead of 2026-11-23" in moved.body and moved.data["other_day"] is True
    session.rollback()  # the move is undone: so is the message
    assert _messages(session, job, VISIT_MOVED) == []


def test_a_replan_that_keeps_the_time_sends_nothing_and_one_that_moves_it_says_the_new_time(session, region):
    technician = make_technician(session, region=region)
    job = _report(session, region=region, locale="en")
    start = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # 14:00 in Suzhou

    def place(at: datetime, position: int = 0) -> None:
        place_job(session, RouteChange(job, technician, position, at, at + timedelta(minutes=45), needs_parts=False),
                  day=at.astimezone(SHANGHAI).date(), actor=TECH, now=NOW, note="re-optimisation plan 1")

    place(start)
    place(start + timedelta(minutes=20), position=1)  # a re-plan within the threshold: not news
    assert [m.purpose for m in _messages(session, job)] == [REPORT_RECEIVED, TECHNICIAN_ASSIGNED]
    place(start + timedelta(minutes=50))  # 50 min from what the customer was told
    [moved] = _messages(session, job, VISIT_MOVED)
    assert moved.subject == f"Your visit time changed: job {job.number}"
    assert "on 2026-11-23 is now around 14:50 (local time) instead of 14:00" in moved.body
    place(start + timedelta(minutes=60))  # 10 min from the last time told: not news again
    assert len(_messages(session, job, VISIT_MOVED)) == 1


def test_on_the_way_waiting_for_a_part_and_completed_each_tell_the_customer(session, region):
    technician = make_technician(session, region=region)
    job = _report(session, region=region, locale="en")
    start = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    place_job(session, RouteChange(job, technician, 0, start, start + timedelta(minutes=45), needs_parts=False),
              day=start.date(), actor=TECH, now=NOW, note="live insertion")
    transition_job(session, job=job, to=JobStatus.EN_ROUTE, actor=TECH, now=start - timedelta(minutes=20))
    [on_the_way] = _messages(session, job, TECHNICIAN_ON_THE_WAY)
    assert "expects to arrive around 14:00 (local time)" in on_the_way.body and "stop" not in on_the_way.body
    transition_job(session, job=job, to=JobStatus.ON_SITE, actor=TECH, now=start)
    part = make_part(session)
    session.add(JobPart(job_id=job.id, part_id=part.id, quantity=1, state=JobPartState.AWAITING, note="",
                        expected_at=datetime(2026, 11, 25, 17, 0, tzinfo=UTC), created_at=start, updated_at=start))
    transition_job(session, job=job, to=JobStatus.WAITING_PARTS, actor=TECH, now=start + timedelta(minutes=30))
    [waiting] = _messages(session, job, WAITING_FOR_PART)
    assert "which we expect on 2026-11-26" in waiting.body  # 17:00 UTC is the next morning in Suzhou
    for status in (JobStatus.ASSIGNED, JobStatus.EN_ROUTE, JobStatus.ON_SITE):
        transition_job(session, job=job, to=status, actor=TECH, now=start + timedelta(days=3))
    session.get(JobPart, session.scalar(select(JobPart.id))).state = JobPartState.CONSUMED
    transition_job(session, job=job, to=JobStatus.COMPLETED, actor=TECH, now=start + timedelta(days=3, hours=1),
                   note="Replaced the compressor relay; cooling again")
    [completed] = _messages(session, job, JOB_COMPLETED)
    assert "What was done: Replaced the compressor relay; cooling again" in completed.body
    assert f"Parts fitted: {part.name}" in completed.body
    assert "https://care.example/messages/opt-out/" in completed.body  # not about the visit: it can be stopped


def test_on_the_way_tells_the_arrival_from_where_the_technician_is_like_the_tracking_page(session, region):
    technician = make_technician(session, region=region)
    job = _report(session, region=region, locale="en")
    start = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    place_job(session, RouteChange(job, technician, 0, start, start + timedelta(minutes=45), needs_parts=False),
              day=start.date(), actor=TECH, now=NOW, note="live insertion")
    setting_off = start - timedelta(minutes=90)
    # About 6 km away from the job a minute ago: well before the planned 14:00.
    technician.last_lat, technician.last_lon = job.latitude + 0.04, job.longitude + 0.03
    technician.last_seen_at = setting_off - timedelta(minutes=1)
    transition_job(session, job=job, to=JobStatus.EN_ROUTE, actor=TECH, now=setting_off)
    [on_the_way] = _messages(session, job, TECHNICIAN_ON_THE_WAY)
    told = live_eta(job, now=setting_off, provider=PROVIDER)
    assert told.source == EtaSource.LIVE and told.around < start
    assert f"expects to arrive around {_local(told.around)} (local time)" in on_the_way.body
    assert on_the_way.data["eta"] == told.around.isoformat() and on_the_way.data["eta_source"] == "live"


def test_an_opted_out_customer_still_hears_about_the_visit_but_nothing_else(session, region):
    technician = make_technician(session, region=region)
    job = _report(session, region=region, locale="en")
    opt_out(session, customer=job.customer, now=NOW)
    start = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    place_job(session, RouteChange(job, technician, 0, start, start + timedelta(minutes=45), needs_parts=False),
              day=start.date(), actor=TECH, now=NOW, note="live insertion")
    for status in (JobStatus.EN_ROUTE, JobStatus.ON_SITE, JobStatus.COMPLETED):
        transition_job(session, job=job, to=status, actor=TECH, now=start, note="Fixed it for good")
    # No waiting-for-part or completion message, and the survey is care.callbacks' own.
    assert [m.purpose for m in _messages(session, job)] == [REPORT_RECEIVED, TECHNICIAN_ASSIGNED,
                                                            TECHNICIAN_ON_THE_WAY]


def test_a_report_at_night_is_held_until_the_quiet_hours_end_unless_urgent(session):
    night = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)  # 22:30 in Suzhou
    job = _report(session, locale="en", now=night)
    [held] = _messages(session, job)
    assert held.not_before == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 08:00 the next morning, local
    assert held.next_attempt_at == held.not_before
    urgent = _report(session, locale="en", now=night, phone="+86 138 0000 0002")
    for job_at_night in (job, urgent):
        job_at_night.status = JobStatus.ON_SITE
    urgent.priority = Priority.URGENT
    for job_at_night in (job, urgent):
        transition_job(session, job=job_at_night, to=JobStatus.WAITING_PARTS, actor=TECH, now=night)
    assert _messages(session, job, WAITING_FOR_PART)[0].not_before == held.not_before
    assert _messages(session, urgent, WAITING_FOR_PART)[0].not_before is None  # urgent: told at once


def test_the_technician_on_the_way_is_never_held_at_night(session, region):
    job = _report(session, region=region, locale="en")
    job.status = JobStatus.ASSIGNED
    transition_job(session, job=job, to=JobStatus.EN_ROUTE, actor=TECH,
                   now=datetime(2026, 11, 23, 23, 30, tzinfo=UTC))  # 07:30 local
    [on_the_way] = _messages(session, job, TECHNICIAN_ON_THE_WAY)
    assert on_the_way.not_before is None and "on the way to you" in on_the_way.body


@pytest.mark.parametrize(("local", "until"), [
    (time(22, 30), datetime(2026, 11, 24, 8, 0)),
    (time(0, 15), datetime(2026, 11, 23, 8, 0)),
    (time(7, 59), datetime(2026, 11, 23, 8, 0)),
    (time(8, 0), None),
    (time(20, 59), None),
    (time(21, 0), datetime(2026, 11, 24, 8, 0)),
])
def test_quiet_hours_cross_midnight_in_local_time(local, until):
    now = datetime.combine(datetime(2026, 11, 23).date(), local, tzinfo=SHANGHAI)
    expected = until.replace(tzinfo=SHANGHAI).astimezone(UTC) if until else None
    assert quiet_until(now, tz=SHANGHAI, start=time(21), end=time(8)) == expected


def test_quiet_hours_within_a_day_and_none_at_all():
    at = datetime(2026, 11, 23, 13, 0, tzinfo=SHANGHAI)
    assert quiet_until(at, tz=SHANGHAI, start=time(12), end=time(14)) == datetime(2026, 11, 23, 14, 0, tzinfo=SHANGHAI)
    assert quiet_until(at, tz=SHANGHAI, start=time(14), end=time(16)) is None
    assert quiet_until(at, tz=SHANGHAI, start=time(0), end=time(0)) is None


def test_the_preferred_channel_is_used(session):
    asset = make_asset(session)
    asset.customer.email, asset.customer.preferred_channel = "wei@example.com", "wechat"
    wechat = make_open_job(session, asset=asset, owner=None, now=NOW)
    assert [(m.channel, m.recipient) for m in _messages(session, wechat)] == [
        (MessageChannel.WEBHOOK, "wechat:+86 138 1234 5678")]
    other = make_asset(session, phone="+86 138 0000 0003")
    other.customer.email = "li@example.com"
    mailed = make_open_job(session, asset=other, owner=None, now=NOW)
    assert [(m.channel, m.recipient) for m in _messages(session, mailed)] == [(MessageChannel.EMAIL, "li@example.com")]
    other.customer.preferred_channel = "sms"
    mailed.status = JobStatus.ASSIGNED
    transition_job(session, job=mailed, to=JobStatus.EN_ROUTE, actor=TECH, now=NOW)
    assert _messages(session, mailed, TECHNICIAN_ON_THE_WAY)[0].recipient == "sms:+86 138 1234 5678"


def test_staff_see_the_customer_s_messages_of_a_job_without_the_colleagues_alerts(session):
    agent = make_user(session, username="agent.gao")
    job = _report(session, locale="en")
    from care.outbox import queue_message, staff_address
    channel, recipient = staff_address(agent)
    queue_message(session, channel=channel, purpose="sla_warning", recipient=recipient, subject="s", body="b",
                  now=NOW, job=job)
    [seen] = messages_of_job(session, job.id)
    assert (seen.purpose, seen.channel, seen.state.value) == (REPORT_RECEIVED, "sms", "pending")


def test_the_window_hook_confirms_a_window_in_local_time(session):
    job = _report(session, locale="en")
    message = tell_window(session, job=job, start=datetime(2026, 11, 24, 2, 0, tzinfo=UTC),
                          end=datetime(2026, 11, 24, 4, 0, tzinfo=UTC), changed=False, now=NOW)
    assert "confirmed for 2026-11-24 between 10:00 and 12:00 (local time)" in message.body


def test_news_held_overnight_and_overtaken_before_morning_is_replaced_not_added(session, region):
    technician = make_technician(session, region=region)
    night = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 22:00 in Suzhou
    job = _report(session, region=region, locale="en", now=night)
    tomorrow = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 local

    def place(at: datetime, now: datetime) -> None:
        place_job(session, RouteChange(job, technician, 0, at, at + timedelta(minutes=45), needs_parts=False),
                  day=at.astimezone(SHANGHAI).date(), actor=TECH, now=now, note="re-optimisation plan 2")

    place(tomorrow, night + timedelta(minutes=5))
    place(tomorrow + timedelta(hours=3), night + timedelta(minutes=30))  # re-planned before anyone read it
    promises = _messages(session, job, TECHNICIAN_ASSIGNED)
    assert [m.state.value for m in promises] == ["superseded", "pending"]
    assert "arriving around 13:00" in promises[1].body and promises[1].not_before == datetime(2026, 11, 24, 0, 0,
                                                                                               tzinfo=UTC)
    assert [m.purpose for m in messages_of_job(session, job.id) if m.state.value != "superseded"] == [
        REPORT_RECEIVED, TECHNICIAN_ASSIGNED]


def test_a_replan_of_a_visit_under_way_tells_the_customer_nothing_more(session, region):
    technician = make_technician(session, region=region)
    job = _report(session, region=region, locale="en")
    start = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    place_job(session, RouteChange(job, technician, 0, start, start + timedelta(minutes=45), needs_parts=False),
              day=start.date(), actor=TECH, now=NOW, note="live insertion")
    transition_job(session, job=job, to=JobStatus.EN_ROUTE, actor=TECH, now=start - timedelta(minutes=30))
    later = start + timedelta(hours=2)
    place_job(session, RouteChange(job, technician, 0, later, later + timedelta(minutes=45), needs_parts=False),
              day=start.date(), actor=TECH, now=start, note="re-optimisation plan 3")
    assert _messages(session, job, VISIT_MOVED) == []


def test_the_return_visit_after_a_part_arrives_is_told_as_a_new_planned_visit(session, region):
    technician = make_technician(session, region=region)
    job = _report(session, region=region, locale="en")
    start = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    place_job(session, RouteChange(job, technician, 0, start, start + timedelta(minutes=45), needs_parts=False),
              day=start.date(), actor=TECH, now=NOW, note="live insertion")
    for status in (JobStatus.EN_ROUTE, JobStatus.ON_SITE, JobStatus.WAITING_PARTS):
        transition_job(session, job=job, to=status, actor=TECH, now=start)
    back = start + timedelta(days=2)
    place_job(session, RouteChange(job, technician, 0, back, back + timedelta(minutes=45), needs_parts=False),
              day=back.date(), actor=TECH, now=back - timedelta(days=1), note="live insertion")
    assert [m.purpose for m in _messages(session, job)][-2:] == [WAITING_FOR_PART, TECHNICIAN_ASSIGNED]
    assert "The planned visit is on 2026-11-25, arriving around 14:00" in _messages(session, job)[-1].body


def test_a_promised_visit_nobody_can_keep_is_said_plainly_and_the_next_plan_is_a_new_visit(session, region):
    technician = make_technician(session, region=region)
    job = _report(session, region=region, locale="en")
    dispatch_job(session, job=job, now=NOW, tz=SHANGHAI, provider=PROVIDER)
    unplace_job(session, job, actor=Actor(label="dispatcher.wu"), now=NOW, note="moved by dispatcher.wu")
    technician.skills = []  # the only technician can no longer do it
    session.flush()
    assert not dispatch_job(session, job=job, now=NOW, tz=SHANGHAI, provider=PROVIDER).planned
    [unplanned] = _messages(session, job, VISIT_UNPLANNED)
    assert "cannot take place as planned" in unplanned.body and unplanned.subject.startswith("We are finding")
    other = _report(session, region=region, locale="en", phone="+86 138 0000 0009")
    dispatch_job(session, job=other, now=NOW, tz=SHANGHAI, provider=PROVIDER)  # never promised a time
    assert _messages(session, other, VISIT_UNPLANNED) == []
