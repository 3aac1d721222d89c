"""The dispatcher's what-if before a move: only technicians qualified and working that day are
candidates, ranked by the travel the job adds and then lateness, each with the visits of their day the
move would shift; the move itself lands on the day chosen or is refused, changing nothing."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from core.geo import GreatCircleProvider
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import Job
from dispatch.planning.errors import CannotMove
from dispatch.planning.move_options import (
    BREAKS_WINDOWS,
    NOT_QUALIFIED,
    NOT_WORKING,
    move_days,
    move_options,
)
from dispatch.planning.moves import move_job
from tests.builders.dispatch import make_technician
from tests.builders.fieldwork import TZ, build_field_world
from tests.conftest import NOW

PROVIDER = GreatCircleProvider()
TODAY = NOW.astimezone(TZ).date()


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ).astimezone(UTC)


def options(session, job, day=TODAY, **kwargs):
    return move_options(session, job=job, day=day, now=NOW, provider=PROVIDER, tz=TZ, **kwargs)


def planned(session, job) -> tuple:
    return session.execute(select(Job.technician_id, Job.plan_day, Job.planned_start)
                           .where(Job.id == job.id)).one()


def test_unqualified_and_off_duty_technicians_are_not_candidates(session):
    city = build_field_world(session)
    washer = make_technician(session, region=city.region, skills={"washing": 2}, username="washer")
    trainee = make_technician(session, region=city.region, skills={"refrigeration": 1}, username="trainee")
    city.other_job.asset.product_model.min_skill_level = 2
    off_today = make_technician(session, region=city.region, username="weekend",
                                weekdays=[d for d in range(7) if d != TODAY.weekday()])
    choices = options(session, city.other_job)
    shown = {o.technician.user.username for o in choices.options}
    assert shown == {"tech01", "tech02"}
    excluded = {e.technician.id: e.why for e in choices.excluded}
    assert excluded == {washer.id: NOT_QUALIFIED, trainee.id: NOT_QUALIFIED, off_today.id: NOT_WORKING}
    # The same technician is a candidate on a day they work.
    tomorrow = {o.technician.id for o in options(session, city.other_job, TODAY + timedelta(days=1)).options}
    assert off_today.id in tomorrow


def test_candidates_are_ranked_by_added_travel_then_lateness(session):
    city = build_field_world(session)
    make_technician(session, region=city.region, home=(31.60, 120.90), username="far")
    make_technician(session, region=city.region, home=(31.34, 120.65), username="next.door")
    choices = options(session, city.other_job)
    movable = [o for o in choices.options if o.movable]
    assert len(movable) == 4
    keys = [(o.added_travel_s, o.late_s) for o in movable]
    assert keys == sorted(keys)
    assert movable[-1].technician.user.username == "far"
    assert all(o.eta is not None and o.late_s == 0 for o in movable)
    current = next(o for o in choices.options if o.current)
    assert current.technician.id == city.other.id


def test_the_consequences_list_the_visits_that_would_move(session):
    city = build_field_world(session)
    first, second = city.jobs
    # tech02's job goes to tech01: put before or between tech01's two visits, at least one of them moves.
    choices = options(session, city.other_job, not_before=local(23, 10))
    mine = next(o for o in choices.options if o.technician.id == city.tech.id)
    assert mine.movable and mine.eta >= local(23, 10)
    before = {first.id: first.planned_start, second.id: second.planned_start}
    for change in mine.changes:
        assert change.old_eta == before[change.job.id] and change.new_eta != change.old_eta
        assert not change.breaks_window
    # Whatever moves is later than before: the new visit takes time out of the day.
    moved_later = [c for c in mine.changes if c.new_eta > c.old_eta]
    assert moved_later == list(mine.changes)
    assert mine.eta < max(before.values()) or not mine.changes
    assert planned(session, city.other_job)[0] == city.other.id  # only a what-if: nothing moved


def test_a_move_that_would_break_a_promised_window_is_shown_and_cannot_be_confirmed(session):
    city = build_field_world(session)
    job = city.other_job
    job.window_start, job.window_end = local(23, 14), local(23, 16)
    session.flush()
    tomorrow = TODAY + timedelta(days=1)
    choices = options(session, job, day=tomorrow)
    assert choices.options and all(o.problem == BREAKS_WINDOWS for o in choices.options)
    assert all(job in o.broken_windows for o in choices.options)
    with pytest.raises(CannotMove):
        move_job(session, job=job, technician=city.tech, actor=Actor(label="dispatcher"), now=NOW, tz=TZ,
                 provider=PROVIDER, day=tomorrow)
    assert planned(session, job)[:2] == (city.other.id, TODAY)


def test_a_move_lands_on_the_chosen_day_or_is_refused_changing_nothing(session):
    city = build_field_world(session)
    job = city.other_job
    dispatcher = Actor(label="dispatcher")
    tomorrow = TODAY + timedelta(days=1)
    outcome = move_job(session, job=job, technician=city.tech, actor=dispatcher, now=NOW, tz=TZ, provider=PROVIDER,
                       day=tomorrow, not_before=local(24, 13))
    assert outcome.day == tomorrow and outcome.eta >= local(24, 13)
    assert planned(session, job)[:2] == (city.tech.id, tomorrow)

    first, last = move_days(job, now=NOW, tz=TZ)
    assert first == TODAY and last >= tomorrow
    before = planned(session, job)
    for day in (TODAY - timedelta(days=1), last + timedelta(days=1)):
        with pytest.raises(CannotMove, match="outside"):
            move_job(session, job=job, technician=city.other, actor=dispatcher, now=NOW, tz=TZ, provider=PROVIDER,
                     day=day)
    # Starting after the shift ends: no room that day, refused, and the job stays where it was.
    with pytest.raises(CannotMove, match="has no room"):
        move_job(session, job=job, technician=city.other, actor=dispatcher, now=NOW, tz=TZ, provider=PROVIDER,
                 day=tomorrow, not_before=local(24, 16, 50))
    assert planned(session, job) == before
    off = make_technician(session, region=city.region, weekdays=[d for d in range(7) if d != tomorrow.weekday()],
                          start=time(8))
    with pytest.raises(CannotMove):
        move_job(session, job=job, technician=off, actor=dispatcher, now=NOW, tz=TZ, provider=PROVIDER, day=tomorrow)
    assert planned(session, job) == before
