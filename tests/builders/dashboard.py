"""A service history for the dashboard: many jobs written straight into the tables (no intake, no
dispatch), varied on purpose: several regions and none, every category and status, kept, missed and
running clocks, ended and running pauses, answers good and bad, parts used, follow-up tasks, alerts
and escalations, and moments on both sides of the region's midnights at the period's and the trend
buckets' edges. Used by the dashboard's equivalence test and by scripts/bench_dashboard.py."""
from __future__ import annotations

import random
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from care.models import AlertKind, FollowUpTask, SlaAlert, SlaClock, Survey, TaskKind
from core.regions import Region
from core.users import Role, User
from dispatch.catalog.models import Asset, Customer, ProductModel, WarrantyPolicy
from dispatch.jobs.models import (
    Channel,
    EntitlementKind,
    Escalation,
    Job,
    JobCategory,
    Priority,
    SlaPause,
    SlaPolicy,
)
from dispatch.jobs.status import OPEN_STATUSES, JobStatus
from dispatch.technicians.models import Technician
from inventory.models import MovementKind, Part, StockMovement, Warehouse, WarehouseKind

FAULTS = {
    JobCategory.QUALITY_DEFECT: ["Not cooling since yesterday, error E4", "Leaking water and a loud noise",
                                 "冰箱不制冷，还有异响", "漏水，噪音很大", "It is broken, no power at all",
                                 "Noisy and vibrates, smells of burning", "Stopped working, error code E1"],
    JobCategory.INSTALLATION: ["Please install the new unit", "需要上门安装和调试", "Relocate and mount it"],
    JobCategory.USAGE_QUESTION: ["How to set the eco mode?", "请问怎么设置温度"],
    JobCategory.RETURN_EXCHANGE: ["Arrived damaged, want a refund", "要求退货"],
}
# Mixed case, accents and Chinese: an ORDER BY in a database's locale would sort these unlike Python.
NAMES = ["alice", "Bob", "Émile", "王芳", "zhang wei", "Li Na", "李娜", "omar", "Zoë"]
FINISHED = [JobStatus.COMPLETED, JobStatus.CLOSED, JobStatus.REMOTE_RESOLVED, JobStatus.CANCELLED]
STILL_OPEN = [JobStatus.REPORTED, JobStatus.ASSIGNED, JobStatus.ON_SITE, JobStatus.WAITING_PARTS]
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class DashboardWorld:
    start: date
    end: date
    tz: ZoneInfo
    now: datetime
    jobs: int


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tz).astimezone(UTC)


def build_dashboard_world(session: Session, *, jobs: int, seed: int = 1, start: date = date(2026, 10, 1),
                          days: int = 60, tz: ZoneInfo = SHANGHAI) -> DashboardWorld:
    rng = random.Random(seed)
    tag = secrets.token_hex(3)
    end = start + timedelta(days=days - 1)
    lo, hi = _midnight(start, tz), _midnight(end + timedelta(days=1), tz)
    now = hi - timedelta(hours=30)
    policy_id = session.scalar(select(SlaPolicy.id).where(SlaPolicy.category.is_(None)).limit(1))

    regions = [Region(code=f"r{tag}{n}", name=f"Region {n}", center_lat=31.3, center_lon=120.6) for n in range(3)]
    warranty = WarrantyPolicy(code=f"w{tag}", name="Policy", return_days=7, exchange_days=15, free_repair_months=12)
    models = [ProductModel(code=f"M{tag}-{n}", name=f"Model {n}", name_zh=f"型号 {n}" if n % 2 else "",
                           category="refrigerator", product_line="cooling", warranty_policy=warranty,
                           repair_skill="refrigeration") for n in range(12)]
    users = [User(username=f"t{tag}{n}", display_name="Li Ming" if n < 2 else f"Tech {n}", role=Role.TECHNICIAN,
                  password_hash="x") for n in range(5)]
    session.add_all(regions + models + users)
    session.flush()
    technicians = [Technician(user=user, region=regions[n % 3], home_lat=31.3, home_lon=120.6)
                   for n, user in enumerate(users)]
    parts = [Part(sku=f"P{tag}{n}", name=f"Part {n}", name_zh=f"零件 {n}" if n % 2 else "", unit_cost=10)
             for n in range(5)]
    parts.append(Part(sku=f"P{tag}same", name="Part 0", unit_cost=10))  # two parts, one name: one line
    warehouse = Warehouse(code=f"WH{tag}", name="Warehouse", kind=WarehouseKind.REGIONAL)
    session.add_all(technicians + parts + [warehouse])
    session.flush()

    customers = [{"name": f"{rng.choice(NAMES)} {n:05d}", "phone": f"+86 138 {n:08d}"}
                 for n in range(max(3, jobs // 4))]
    customer_ids = list(session.scalars(insert(Customer).returning(Customer.id, sort_by_parameter_order=True), customers))
    assets = []
    for n in range(max(2, jobs // 3)):
        assets.append({"serial": f"S{tag}{n:06d}", "product_model_id": rng.choice(models[:9] if n % 7 else models).id,
                       "customer_id": rng.choice(customer_ids),
                       "region_id": None if n % 5 == 0 else rng.choice(regions).id, "address": "1 Road",
                       "latitude": 31.3, "longitude": 120.6, "purchase_date": date(2026, 1, 1),
                       "qr_token": f"q{tag}{n}"})
    asset_ids = list(session.scalars(insert(Asset).returning(Asset.id, sort_by_parameter_order=True), assets))
    owner_of = dict(zip(asset_ids, (a["customer_id"] for a in assets), strict=True))

    # The moments at the edges: the period's first and last midnight and the trend buckets' first ones
    # (days and weeks), a second before, on it and a second after.
    edges = [_midnight(start + timedelta(days=d), tz) for d in (0, 1, 7, 14, days)]
    edge_moments = [edge + timedelta(seconds=s) for edge in edges for s in (-1, 0, 1)]
    span = (hi - lo) + timedelta(days=100)

    def moment(n: int) -> datetime:
        if n < len(edge_moments):
            return edge_moments[n]
        if n < len(edge_moments) * 2:  # the same edges again, a hair later: no two reports at one instant
            return edge_moments[n % len(edge_moments)] + timedelta(microseconds=n)
        # Mostly in the period, some in the look-back window before it and a few after it.
        return lo - timedelta(days=97) + timedelta(seconds=rng.randrange(int(span.total_seconds())),
                                                   microseconds=n)

    job_rows, pauses = [], []
    open_assets: set[int] = set()
    for n in range(jobs):
        reported = moment(n)
        asset_id = rng.choice(asset_ids)
        category = rng.choices(list(FAULTS), weights=[6, 2, 1, 1])[0]
        status = rng.choice(FINISHED)
        if asset_id not in open_assets and rng.random() < 0.3:
            status = rng.choice(STILL_OPEN)
            open_assets.add(asset_id)
        respond_by, repair_by = reported + timedelta(hours=2), reported + timedelta(days=3)
        responded = reported + timedelta(minutes=rng.randrange(5, 300)) if rng.random() < 0.75 else None
        resolved = (reported + timedelta(minutes=rng.randrange(60, 6000))
                    if status in FINISHED and rng.random() < 0.9 else None)
        if rng.random() < 0.2:
            begun = reported + timedelta(minutes=rng.randrange(1, 200))
            ended = None if status in OPEN_STATUSES and rng.random() < 0.5 else begun + timedelta(minutes=rng.randrange(1, 600))
            pauses.append((n, begun, ended))
            if ended is not None:  # the deadlines the ended pause moved, as dispatch.jobs.clocks stores them
                respond_by += ended - begun
                repair_by += ended - begun
        job_rows.append({
            "number": f"J{tag}{n:07d}", "tracking_token": f"t{tag}{n}", "asset_id": asset_id,
            "customer_id": owner_of[asset_id] if rng.random() < 0.9 else rng.choice(customer_ids),
            "channel": Channel.QR, "fault_text": rng.choice(FAULTS[category]), "contact_name": "Zhang",
            "contact_phone": "+86 138 0000 0000", "address": "1 Road", "latitude": 31.3, "longitude": 120.6,
            "category": category, "category_confidence": 0.9, "priority": Priority.NORMAL,
            "entitlement": EntitlementKind.FREE_REPAIR, "entitlement_reason": "in warranty", "status": status,
            "owner_channel": Channel.QR, "sla_policy_id": policy_id, "reported_at": reported,
            "respond_by": respond_by, "repair_by": repair_by, "responded_at": responded, "resolved_at": resolved,
            "updated_at": reported,
            "technician_id": rng.choice(technicians).id if rng.random() < 0.7 else None})
    job_ids = list(session.scalars(insert(Job).returning(Job.id, sort_by_parameter_order=True), job_rows))
    if pauses:
        session.execute(insert(SlaPause), [{"job_id": job_ids[n], "started_at": begun, "ended_at": ended,
                                            "reason": "not home", "started_by": "test"}
                                           for n, begun, ended in pauses])

    surveys, movements, alerts, escalations = [], [], [], []
    for n, (job_id, row) in enumerate(zip(job_ids, job_rows, strict=True)):
        if rng.random() < 0.45:
            answered = (edge_moments[n % len(edge_moments)] if rng.random() < 0.1
                        else row["reported_at"] + timedelta(minutes=rng.randrange(30, 9000)))
            surveys.append({"job_id": job_id, "token": f"s{tag}{n}", "created_at": row["reported_at"],
                            "send_at": row["reported_at"], "answer_window_minutes": 1440,
                            "answered_at": answered if rng.random() < 0.9 else None,
                            "rating": rng.randint(1, 5), "fixed": rng.choice([True, True, False, None]),
                            "problem_areas": [], "comment": ""})
        if rng.random() < 0.3:
            for part in rng.sample(parts, rng.randint(1, 2)):
                movements.append({"warehouse_id": warehouse.id, "part_id": part.id,
                                  "kind": MovementKind.CONSUMPTION if rng.random() < 0.9 else MovementKind.RECEIPT,
                                  "quantity": rng.randint(1, 3), "job_id": job_id, "actor": "test",
                                  "created_at": row["reported_at"]})
        if row["responded_at"] is None or rng.random() < 0.1:
            alerts.append({"job_id": job_id, "clock": SlaClock.RESPONSE, "kind": AlertKind.BREACH,
                           "at": row["respond_by"], "deadline": row["respond_by"],
                           "cause": rng.choice(["no_response", "no_technician"]), "detail": ""})
        if rng.random() < 0.05:
            escalations.append({"job_id": job_id, "kind": "sla_warning", "reason": "late",
                                "raised_at": row["reported_at"] + timedelta(hours=1),
                                "acknowledged_at": row["reported_at"] + timedelta(hours=2) if n % 2 else None,
                                "resolved_at": row["reported_at"] + timedelta(hours=3) if n % 3 == 0 else None})
    for table, rows in ((Survey, surveys), (StockMovement, movements), (SlaAlert, alerts), (Escalation, escalations)):
        if rows:
            session.execute(insert(table), rows)
    tasks = [{"kind": TaskKind.PHONE_CALLBACK, "customer_id": customer_id, "reason": "call back",
              "created_at": lo, "due_at": hi, "done_at": None if k % 3 else lo}
             for k, customer_id in enumerate(rng.sample(customer_ids, min(len(customer_ids), 12)))]
    session.execute(insert(FollowUpTask), tasks)
    session.flush()
    return DashboardWorld(start=start, end=end, tz=tz, now=now, jobs=jobs)


def _untied(pairs: list[tuple[str, int]], limit: int):
    """A most_common list as far as it is defined: the counts in order, and which names have each
    count, except at the lowest count of a list cut at `limit`, where which of the tied names made
    the cut was the old version's accident (set and row order)."""
    counts = [n for _name, n in pairs]
    cut = len(pairs) == limit
    return counts, sorted((name, n) for name, n in pairs if not (cut and n == counts[-1]))


def comparable(board) -> dict:
    """A dashboard as plain data, to compare the SQL version with the Python one it replaced: equal but
    for the order of fault keywords and parts of equal count."""
    found = asdict(board)
    for fault in found["faults"]:
        fault["keywords"] = _untied(fault["keywords"], 4)
        fault["parts"] = _untied(fault["parts"], 3)
    return found


def as_reference(new, old):
    """`new` with only what the reference `old` has: numbers added since are not the reference's to check."""
    if isinstance(new, dict) and isinstance(old, dict):
        return {key: as_reference(new[key], old[key]) for key in old if key in new}
    if isinstance(new, list) and isinstance(old, list) and len(new) == len(old):
        return [as_reference(n, o) for n, o in zip(new, old, strict=True)]
    return new
