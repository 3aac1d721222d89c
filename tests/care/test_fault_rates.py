"""Faults per thousand appliances installed: a best seller's many faults can be a low rate and a niche
model's few a high one; a part's base is the appliances whose model lists it; an appliance installed
after the period is not in its base; each rate's jobs open from the dashboard as the same jobs."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from care.dashboard import build_dashboard, period_bounds
from care.drilldown import Group, jobs_behind, list_jobs
from care.fault_rates import MIN_BASE_TO_RANK, fault_rates
from dispatch.jobs.models import JobCategory
from inventory.models import MovementKind, StockMovement
from tests.builders.care import TZ, make_open_job
from tests.builders.dashboard import build_dashboard_world
from tests.builders.dispatch import make_asset, make_model
from tests.builders.inventory import make_part, make_warehouse

START, END = date(2026, 11, 1), date(2026, 11, 30)
IN_PERIOD = datetime(2026, 11, 10, 2, tzinfo=UTC)


def _fault(session, asset, *, at=IN_PERIOD):
    job = make_open_job(session, asset=asset, owner=None, now=at, fault="Not cooling, compressor noise")
    job.category = JobCategory.QUALITY_DEFECT
    return job


@pytest.fixture
def fleet(session):
    """A best seller (100 installed, 4 faults), a niche model (25 installed, 3 faults), a model too rare
    to rank (2 installed, 2 faults), and appliances that are not in the base."""
    seller, niche, rare = make_model(session), make_model(session), make_model(session)
    compressor, board = make_part(session), make_part(session)
    seller.parts, niche.parts, rare.parts = [compressor], [compressor, board], [board]
    assets = {model: [make_asset(session, model=model, purchase_date=date(2025, 6, 1)) for _ in range(n)]
              for model, n in ((seller, 100), (niche, 25), (rare, 2))}
    make_asset(session, model=seller, purchase_date=None)                  # undated: registered, so counted
    later = make_asset(session, model=seller, purchase_date=date(2026, 12, 15))  # bought after the period
    later.installed_on = None
    early_install = make_asset(session, model=niche, purchase_date=date(2026, 12, 20))
    early_install.installed_on = date(2026, 10, 1)                         # installed before: counted
    jobs = [_fault(session, a) for a in assets[seller][:4]] + [_fault(session, a) for a in assets[niche][:3]]
    jobs += [_fault(session, a) for a in assets[rare]]
    _fault(session, assets[seller][5], at=IN_PERIOD - timedelta(days=40))  # before the period: not counted
    warehouse = make_warehouse(session)
    used = [(jobs[0], compressor), (jobs[0], compressor), (jobs[4], compressor), (jobs[5], board), (jobs[7], board)]
    session.add_all([StockMovement(warehouse_id=warehouse.id, part_id=part.id, kind=MovementKind.CONSUMPTION,
                                   quantity=1, job_id=job.id, actor="test", created_at=IN_PERIOD)
                     for job, part in used])
    session.flush()
    return seller, niche, rare, compressor, board


def test_models_and_parts_are_ranked_by_faults_per_thousand_installed(session, fleet):
    seller, niche, rare, compressor, board = fleet
    lo, hi = period_bounds(START, END, TZ)
    rates = fault_rates(session, lo=lo, hi=hi, end=END)
    by_model = [(r.code, r.installed, r.jobs) for r in rates.models]
    # The niche model (3 in 26) ranks above the best seller (4 in 101); the rare one is listed last.
    assert by_model == [(niche.code, 26, 3), (seller.code, 101, 4), (rare.code, 2, 2)]
    assert [round(r.per_thousand, 1) for r in rates.models] == [115.4, 39.6, 1000.0]
    assert [r.ranked for r in rates.models] == [True, True, False]
    assert MIN_BASE_TO_RANK > 2
    # The compressor is in the seller and the niche model (101 + 26), used on two jobs (one job twice);
    # the board is in the niche and the rare model (26 + 2), used on two jobs.
    assert [(r.code, r.installed, r.jobs) for r in rates.parts] == [(board.sku, 28, 2), (compressor.sku, 127, 2)]


def test_each_rate_opens_the_jobs_it_counted(session, fleet):
    lo, hi = period_bounds(START, END, TZ)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    rates = build_dashboard(session, start=START, end=END, tz=TZ, now=now).fault_rates
    for kind, rows in (("models", rates.models), ("parts", rates.parts)):
        for rate in rows:
            total, lines = list_jobs(session, jobs_behind(session, what="faults", lo=lo, hi=hi, now=now,
                                                          group=Group(**{kind: [rate.id]})))
            assert total == len(lines) == rate.jobs


def test_on_a_varied_history_every_model_rate_agrees_with_its_fault_count(session):
    world = build_dashboard_world(session, jobs=120, seed=5, start=date(2026, 10, 1), days=30)
    board = build_dashboard(session, start=world.start, end=world.end, tz=world.tz, now=world.now)
    counted = {f.model_id: f.jobs for f in board.faults}
    rates = {r.id: r for r in board.fault_rates.models}
    assert counted and set(counted) <= set(rates)
    for model_id, jobs in counted.items():
        assert rates[model_id].jobs == jobs and rates[model_id].installed > 0
