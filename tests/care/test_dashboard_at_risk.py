"""Who is on the dashboard's at-risk list, and why: a low answer and a repeat failure put a customer on
it; one late response alone does not; a customer whose promises were kept is never there."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from care.dashboard import build_dashboard
from care.models import Survey
from dispatch.jobs.audit import Actor
from tests.builders.care import complete_job, make_open_job
from tests.builders.core import make_region
from tests.builders.dispatch import make_asset
from tests.conftest import NOW

TZ = ZoneInfo("Asia/Shanghai")
TODAY = NOW.astimezone(TZ).date()
TECH = Actor(label="tech")


def _repaired(session, asset, *, days_ago: int):
    """A job answered within minutes and repaired the same day."""
    reported = NOW - timedelta(days=days_ago)
    job = make_open_job(session, asset=asset, owner=None, now=reported)
    job.responded_at = reported + timedelta(minutes=10)
    complete_job(session, job, actor=TECH, now=reported + timedelta(minutes=20))
    session.flush()
    return job


def test_the_at_risk_list_names_the_unhappy_and_the_repeat_failures_with_their_reasons(session):
    region = make_region(session)
    unhappy, repeat, late, content = (make_asset(session, region=region, phone=f"+86 139 0000 000{n}")
                                      for n in range(4))
    answered = _repaired(session, unhappy, days_ago=6)
    session.add(Survey(job_id=answered.id, token="at-risk-low", created_at=NOW - timedelta(days=5),
                       send_at=NOW - timedelta(days=5), answer_window_minutes=7 * 24 * 60,
                       sent_at=NOW - timedelta(days=5), answered_at=NOW - timedelta(days=4), rating=1, fixed=False))
    _repaired(session, repeat, days_ago=20)
    second = _repaired(session, repeat, days_ago=10)
    # Reported three hours ago and nobody has answered: one missed response, nothing more.
    make_open_job(session, asset=late, owner=None, now=NOW - timedelta(hours=3))
    _repaired(session, content, days_ago=8)
    session.commit()

    board = build_dashboard(session, start=TODAY - timedelta(days=29), end=TODAY, tz=TZ, now=NOW)

    listed = {customer.name: customer for customer in board.at_risk}
    assert set(listed) == {unhappy.customer.name, repeat.customer.name}
    first = board.at_risk[0]
    assert first.name == unhappy.customer.name, "a customer who told us they are unhappy comes first"
    assert first.reasons == ["1 × low survey score"] and first.last_job == answered.number
    assert listed[repeat.customer.name].reasons == ["1 × repeat failure"]
    assert listed[repeat.customer.name].last_job == second.number
