"""The dashboard's response attainment counts people answering customers: jobs live dispatch triaged
and assigned at once, but nobody contacted past respond_by, are missed. It also counts escalations by
where they stand."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from care.dashboard import build_dashboard
from core.users import Role
from dispatch.jobs.audit import Actor
from dispatch.jobs.clocks import record_contact
from dispatch.jobs.escalations import acknowledge_escalation, resolve_escalation
from dispatch.jobs.models import ContactChannel, Escalation
from tests.builders.core import make_user
from tests.builders.fieldwork import build_field_world
from tests.conftest import NOW

TZ = ZoneInfo("Asia/Shanghai")
TODAY = NOW.astimezone(TZ).date()


def _response(session, *, now):
    board = build_dashboard(session, start=TODAY, end=TODAY, tz=TZ, now=now)
    metric = next(m for m in board.metrics if m.key == "response")
    return metric.rate.hit, metric.rate.total, metric.on_target


def test_response_attainment_falls_when_nobody_responds(session):
    city = build_field_world(session)  # three jobs, each triaged and assigned by live dispatch at once
    assert _response(session, now=NOW + timedelta(hours=1)) == (0, 0, None)  # none due yet
    assert _response(session, now=NOW + timedelta(hours=3)) == (0, 3, False)  # nobody called anyone
    agent = Actor.staff(make_user(session, username="agent.li", role=Role.AGENT))
    record_contact(session, job=city.jobs[0], channel=ContactChannel.PHONE, note="Called: tech01 comes at 14:00",
                   actor=agent, now=NOW + timedelta(minutes=30))
    record_contact(session, job=city.jobs[1], channel=ContactChannel.PHONE, note="Called, too late",
                   actor=agent, now=NOW + timedelta(hours=2, minutes=30))
    assert _response(session, now=NOW + timedelta(hours=3)) == (1, 3, False)


def test_the_dashboard_counts_open_acknowledged_and_resolved_escalations(session):
    city = build_field_world(session)
    dispatcher = Actor.staff(city.dispatcher)
    raised = [Escalation(job=city.jobs[0], kind="sla_warning", reason="late", raised_at=NOW + timedelta(minutes=n))
              for n in range(4)]
    session.add_all(raised)
    session.flush()
    acknowledge_escalation(session, escalation=raised[0], actor=dispatcher, now=NOW)
    resolve_escalation(session, escalation=raised[1], actor=dispatcher, now=NOW, note="Moved to tech02")
    counts = build_dashboard(session, start=TODAY, end=TODAY, tz=TZ, now=NOW).escalations
    assert (counts.open, counts.acknowledged, counts.resolved) == (2, 1, 1)
    earlier = build_dashboard(session, start=TODAY - timedelta(days=3), end=TODAY - timedelta(days=1), tz=TZ,
                              now=NOW).escalations
    assert (earlier.open, earlier.acknowledged, earlier.resolved) == (0, 0, 0)
