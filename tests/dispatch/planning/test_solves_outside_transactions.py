"""A region's re-optimisation solves with no transaction open: while the solver runs, other writers
(a new report, a technician's update) go on at once, on SQLite (one write lock for the whole
database) and on PostgreSQL (row locks)."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from core.db import make_session_factory
from core.geo import GreatCircleProvider
from dispatch.jobs.models import EventKind, Job, JobEvent
from dispatch.planning import services
from dispatch.planning.assignment import dispatch_job
from dispatch.planning.models import PlanRun, PlanStatus
from dispatch.planning.services import PlanStale, new_plan, run_plan
from tests.builders.core import make_region
from tests.builders.dispatch import make_asset, make_technician
from tests.conftest import NOW
from tests.dispatch.planning.test_live_dispatch import TZ, report


def _write_from_another_connection(engine, job_id: int) -> None:
    """Fails at once (not after a long wait) if any lock the solve's session holds is in the way."""
    with engine.connect() as other:
        if engine.dialect.name == "sqlite":
            other.exec_driver_sql("PRAGMA busy_timeout = 200")
        else:
            other.execute(text("SET lock_timeout = '200ms'"))
        other.execute(text("UPDATE jobs SET fault_text = fault_text WHERE id = :id"), {"id": job_id})
        other.commit()


def test_the_solver_runs_with_no_transaction_open_and_other_writers_go_on(session, engine, monkeypatch):
    region = make_region(session)
    make_technician(session, region=region, skills={"refrigeration": 2})
    jobs = [report(session, make_asset(session, region=region)) for _ in range(3)]
    plan = new_plan(session, region=region, day=NOW.astimezone(TZ).date(), time_limit_s=1.0,
                    apply_when_done=False, requested_by="test", now=NOW)
    session.commit()
    seen = {}
    real_solve = services.solve

    def solve_while_watching(problem, **options):
        seen["in_transaction"] = session.in_transaction()
        _write_from_another_connection(engine, jobs[0].id)
        seen["other_writer_went_on"] = True
        return real_solve(problem, **options)

    monkeypatch.setattr(services, "solve", solve_while_watching)
    run_plan(session, plan=plan, now=NOW, tz=TZ, provider=GreatCircleProvider())
    session.commit()

    assert seen == {"in_transaction": False, "other_writer_went_on": True}
    assert plan.status == PlanStatus.DONE and plan.result["served"] == 3 and plan.baseline


def test_a_plan_marked_running_before_its_solve_is_visible_to_others(session, engine, monkeypatch):
    region = make_region(session)
    make_technician(session, region=region, skills={"refrigeration": 2})
    report(session, make_asset(session, region=region))
    plan = new_plan(session, region=region, day=NOW.astimezone(TZ).date(), time_limit_s=1.0,
                    apply_when_done=False, requested_by="test", now=NOW)
    session.commit()
    seen = {}
    real_solve = services.solve

    def solve_while_watching(problem, **options):
        with engine.connect() as other:
            seen["status"] = other.execute(select(services.PlanRun.status).where(services.PlanRun.id == plan.id)).scalar()
        return real_solve(problem, **options)

    monkeypatch.setattr(services, "solve", solve_while_watching)
    run_plan(session, plan=plan, now=NOW, tz=TZ, provider=GreatCircleProvider())
    assert seen["status"] == PlanStatus.RUNNING


def test_an_automatic_re_plan_is_applied_when_it_serves_more(session):
    region = make_region(session)
    make_technician(session, region=region, skills={"refrigeration": 2})
    job = report(session, make_asset(session, region=region))  # waiting: nobody has dispatched it yet
    plan = new_plan(session, region=region, day=NOW.astimezone(TZ).date(), time_limit_s=1.0,
                    apply_when_done=True, requested_by="scheduler", now=NOW)
    run_plan(session, plan=plan, now=NOW, tz=TZ, provider=GreatCircleProvider())
    assert (plan.result["served_before"], plan.result["served"]) == (0, 1)
    assert plan.status == PlanStatus.APPLIED and job.technician is not None


def test_an_automatic_re_plan_that_is_no_better_leaves_the_routes_alone(session):
    region = make_region(session)
    make_technician(session, region=region, skills={"refrigeration": 2})
    job = report(session, make_asset(session, region=region))
    first = new_plan(session, region=region, day=NOW.astimezone(TZ).date(), time_limit_s=1.0,
                     apply_when_done=True, requested_by="scheduler", now=NOW)
    run_plan(session, plan=first, now=NOW, tz=TZ, provider=GreatCircleProvider())
    planned_start = job.planned_start
    again = new_plan(session, region=region, day=NOW.astimezone(TZ).date(), time_limit_s=1.0,
                     apply_when_done=True, requested_by="scheduler", now=NOW)
    run_plan(session, plan=again, now=NOW, tz=TZ, provider=GreatCircleProvider())
    assert again.status == PlanStatus.DONE and again.result["kept_current_routes"]
    assert job.planned_start == planned_start


def test_improvement_means_more_served_or_as_many_with_less_travel():
    from dispatch.planning.services import improves_the_day

    def summary(served, travel, served_before, travel_before):
        return {"served": served, "travel_seconds": travel, "served_before": served_before,
                "travel_seconds_before": travel_before}

    assert improves_the_day(summary(5, 900, 4, 600))
    assert improves_the_day(summary(4, 500, 4, 600))
    assert not improves_the_day(summary(4, 600, 4, 600))
    assert not improves_the_day(summary(4, 700, 4, 600))
    assert not improves_the_day(summary(3, 100, 4, 600))


def test_the_preview_lists_every_job_whose_technician_or_start_would_change(session):
    from dispatch.jobs.models import Job

    region = make_region(session)
    near = make_technician(session, region=region, skills={"refrigeration": 2})
    waiting = report(session, make_asset(session, region=region))
    plan = new_plan(session, region=region, day=NOW.astimezone(TZ).date(), time_limit_s=1.0,
                    apply_when_done=False, requested_by="test", now=NOW)
    run_plan(session, plan=plan, now=NOW, tz=TZ, provider=GreatCircleProvider())
    [change] = plan.result["changes"]
    assert change["job"] == waiting.number and change["technician_before"] is None and change["start_before"] is None
    assert change["technician_after"] == near.user.display_name and change["start_after"]
    assert change["moved_minutes"] is None and plan.result["moved_over_30_min"] == 0
    assert session.get(Job, waiting.id).technician is None  # a preview changes nothing


def test_a_job_dispatched_while_the_plan_solves_makes_the_plan_stale_not_a_crash(session, engine, monkeypatch):
    """The plan's session still holds the jobs it read before the solve; applying must compare the
    routes as the database holds them now, or it would overwrite what live dispatch did meanwhile."""
    region = make_region(session)
    make_technician(session, region=region, skills={"refrigeration": 2})
    jobs = [report(session, make_asset(session, region=region)) for _ in range(3)]
    plan = new_plan(session, region=region, day=NOW.astimezone(TZ).date(), time_limit_s=1.0,
                    apply_when_done=True, requested_by="test", now=NOW)
    session.commit()
    real_solve = services.solve

    def solve_while_live_dispatch_places_a_job(problem, **options):
        with make_session_factory(engine)() as other:
            outcome = dispatch_job(other, job=other.get(Job, jobs[0].id), now=NOW, tz=TZ,
                                   provider=GreatCircleProvider())
            other.commit()
        assert outcome.planned
        return real_solve(problem, **options)

    monkeypatch.setattr(services, "solve", solve_while_live_dispatch_places_a_job)
    with pytest.raises(PlanStale):
        run_plan(session, plan=plan, now=NOW, tz=TZ, provider=GreatCircleProvider())
    session.commit()

    assert session.get(PlanRun, plan.id).status == PlanStatus.STALE
    placed = session.scalars(select(JobEvent).where(JobEvent.job_id == jobs[0].id,
                                                    JobEvent.kind == EventKind.PLANNED)).all()
    assert [event.note_code for event in placed] == ["live_insertion"]
