"""Live dispatch runs for every new job, beside the region solves: its round trips to the database are
counted here, so that a look-up per visit of the route, or per candidate technician, fails a test
instead of quietly making every dispatch slower as the day fills up."""
from __future__ import annotations

from contextlib import contextmanager
from zoneinfo import ZoneInfo

from sqlalchemy import event, select

from core.db import make_session_factory
from core.geo import GreatCircleProvider
from dispatch.intake.services import FaultReport, report_fault
from dispatch.jobs.audit import CUSTOMER
from dispatch.jobs.models import Channel, Job
from dispatch.planning.assignment import dispatch_job
from dispatch.planning.read import job_to_dispatch
from tests.builders.core import make_region
from tests.builders.dispatch import make_asset, make_model, make_technician
from tests.conftest import NOW

TZ = ZoneInfo("Asia/Shanghai")
PROVIDER = GreatCircleProvider()
HOME = (31.31, 120.62)
STREET = (31.33, 120.64)


@contextmanager
def statements_of(engine):
    """The SQL statements sent while the block runs, without transaction control."""
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_rest):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            sent.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _report(session, asset) -> str:
    return report_fault(session, asset=asset, actor=CUSTOMER, now=NOW, tz=TZ,
                        report=FaultReport(Channel.QR, "The fridge is not cooling at all", "Li Lei",
                                           "13800000000")).job.number


def _dispatch_as_the_worker(engine, number: str):
    """One dispatch in its own session and transaction, as the worker runs it."""
    with make_session_factory(engine)() as worker:
        outcome = dispatch_job(worker, job=job_to_dispatch(worker, number), now=NOW, tz=TZ, provider=PROVIDER)
        worker.commit()
    return outcome


def _statements_of_one_more_dispatch(session, engine, *, planned: int, technicians: int) -> tuple[list[str], dict]:
    """The statements of dispatching a new job into a day where each of `technicians` qualified people
    already has `planned` visits, and each earlier visit's start before and after."""
    region = make_region(session, code=f"r{planned}x{technicians}")
    model = make_model(session)
    for _ in range(technicians):
        # Seen this morning at the street of the planned visits; the day ends at home.
        technician = make_technician(session, region=region, cap=planned + 2, home=HOME)
        technician.last_lat, technician.last_lon, technician.last_seen_at = *STREET, NOW
    numbers = [_report(session, make_asset(session, model=model, region=region, at=STREET))
               for _ in range(planned * technicians)]
    # The new job is next door to the technicians' homes: its best place is at the end of a day.
    numbers.append(_report(session, make_asset(session, model=model, region=region, at=HOME)))
    session.commit()
    for number in numbers[:-1]:
        assert _dispatch_as_the_worker(engine, number).planned
    starts = select(Job.number, Job.planned_start).where(Job.number.in_(numbers[:-1]))
    before = dict(session.execute(starts).all())
    session.commit()
    with statements_of(engine) as sent:
        assert _dispatch_as_the_worker(engine, numbers[-1]).planned
    after = dict(session.execute(starts).all())
    session.commit()
    return sent, {number: (before[number], after[number]) for number in before}


def test_one_live_dispatch_costs_as_many_statements_whatever_the_length_of_the_route(session, engine):
    short, short_moves = _statements_of_one_more_dispatch(session, engine, planned=1, technicians=1)
    session.commit()
    long, long_moves = _statements_of_one_more_dispatch(session, engine, planned=6, technicians=1)
    # The new visit goes at the end of the day: the others keep their times, so they are neither written
    # again nor is anything read about them one by one.
    assert all(was == now for was, now in (short_moves | long_moves).values())
    assert len(long) == len(short), "\n".join(long)
    assert not [s for s in long if s.startswith("SELECT outbox_messages") and "row_number" not in s.lower()]


def test_one_live_dispatch_costs_as_many_statements_whatever_the_number_of_candidates(session, engine):
    one, _ = _statements_of_one_more_dispatch(session, engine, planned=2, technicians=1)
    session.commit()
    several, _ = _statements_of_one_more_dispatch(session, engine, planned=2, technicians=4)
    assert len(several) == len(one), "\n".join(several)
