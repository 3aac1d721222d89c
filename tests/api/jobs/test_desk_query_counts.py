"""A bigger day must not mean more queries: the agent desk (its search results and queues) and the job
page (its history, parts and messages) are read in a fixed number of SQL statements, counted here for a
small and a ten times larger data set."""
from __future__ import annotations

from datetime import timedelta

import pytest

from care.models import MessageChannel
from care.outbox import queue_message
from core.users import Role
from dispatch.intake.services import FaultReport, report_fault
from dispatch.jobs.audit import CUSTOMER, Actor
from dispatch.jobs.models import Channel, EventKind
from dispatch.jobs.services import record_event
from inventory.models import JobPart, JobPartState
from tests.api.public.test_report_cost import statements_of
from tests.api.test_pages import sign_in
from tests.builders.care import TZ
from tests.builders.core import make_region, make_user
from tests.builders.dispatch import make_asset, make_technician
from tests.builders.inventory import make_part, make_warehouse
from tests.conftest import NOW


class City:
    def __init__(self, session):
        self.session = session
        self.region = make_region(session)
        self.technicians = [make_technician(session, region=self.region) for _ in range(3)]
        self.depot = make_warehouse(session, regions=[self.region], at=(31.31, 120.61), code="WH-Q")
        self.count = 0

    def job(self, *, lines: int = 0):
        """A self-service job ending in ...5293, planned for a technician, with `lines` events, part
        lines and messages to the customer."""
        self.count += 1
        asset = make_asset(self.session, region=self.region, phone=f"+86 139 {self.count:04d} 5293")
        job = report_fault(self.session, asset=asset, actor=CUSTOMER, now=NOW, tz=TZ,
                           report=FaultReport(channel=Channel.QR, fault_text="Not cooling since yesterday",
                                              contact_name=f"Customer {self.count}",
                                              contact_phone=f"+86 139 {self.count:04d} 5293")).job
        job.technician = self.technicians[self.count % len(self.technicians)]
        job.plan_day = (NOW + timedelta(days=1)).date()
        job.planned_start, job.planned_end = NOW + timedelta(days=1), NOW + timedelta(days=1, minutes=45)
        for n in range(lines):
            at = NOW + timedelta(minutes=n + 1)
            record_event(job, kind=EventKind.PARTS, actor=Actor(label="tech01"), now=at, note=f"line {n}")
            self.session.add(JobPart(job_id=job.id, part_id=make_part(self.session).id, quantity=1,
                                     state=JobPartState.RESERVED if n % 2 else JobPartState.AWAITING,
                                     warehouse_id=self.depot.id, expected_at=at, created_at=at, updated_at=at))
            queue_message(self.session, channel=MessageChannel.WEBHOOK, purpose="survey", recipient="sms:+86 139",
                          subject=f"Message {n}", body="...", now=at, job=job)
        self.session.flush()
        return job


def _statements(app, client, path: str) -> list[str]:
    assert client.get(path).status_code == 200  # warm: the first request fills per-process caches
    with statements_of(app) as sent:
        assert client.get(path).status_code == 200
    return sent


def test_the_job_page_costs_the_same_queries_for_a_long_history(app, client, session):
    city = City(session)
    make_user(session, username="agent.li", role=Role.AGENT)
    short, long = city.job(lines=2), city.job(lines=20)
    session.commit()
    sign_in(client, "agent.li")
    few = _statements(app, client, f"/agent/jobs/{short.number}")
    many = _statements(app, client, f"/agent/jobs/{long.number}")
    assert len(many) == len(few), "\n".join(many)


@pytest.mark.parametrize("path, lines", [("/agent?queue=new", "/take"), ("/agent?q=5293", "/report")])
def test_the_desk_costs_the_same_queries_for_ten_times_the_results(app, client, session, path, lines):
    city = City(session)
    make_user(session, username="agent.li", role=Role.AGENT)
    for _ in range(2):
        city.job()
    session.commit()
    sign_in(client, "agent.li")
    few = _statements(app, client, path)
    for _ in range(18):
        city.job()
    session.commit()
    html = client.get(path).get_data(as_text=True)
    assert html.count(lines) == 20  # every new report is in the queue; every caller's appliance is found
    many = _statements(app, client, path)
    assert len(many) == len(few), "\n".join(many)
