"""What the routing problem needs to know about parts: which visits need which, which vans already
hold them, and where (and from when) the rest can be collected.

Part keys: a part reserved in a warehouse, or sitting free in a van, is known by its SKU — any van
holding it will do, anyone else collects it where it is reserved. A part still on its way is keyed by
SKU and job (`SKU#JOB`), because when it can be collected depends on that one order.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from dispatch.jobs.audit import Actor
from dispatch.jobs.models import Job
from dispatch.technicians.models import Technician
from inventory import ledger
from inventory.ledger import InsufficientStock
from inventory.models import JobPart, JobPartState, StockLevel, Warehouse, WarehouseKind
from inventory.reasons import reason as stock_reason


@dataclass
class PartsPlan:
    needs: dict[str, tuple[str, ...]] = field(default_factory=dict)  # job number -> part keys
    earliest: dict[str, datetime] = field(default_factory=dict)  # job number -> last awaited part's arrival
    van_parts: dict[int, frozenset[str]] = field(default_factory=dict)  # technician id -> part keys
    depots: dict[str, Warehouse] = field(default_factory=dict)  # warehouse code -> warehouse
    # warehouse code -> part key -> from when it can be collected (None: now)
    depot_parts: dict[str, dict[str, datetime | None]] = field(default_factory=dict)


def parts_plan(session: Session, *, jobs: list[Job], technicians: list[Technician]) -> PartsPlan:
    plan = PartsPlan()
    by_id = {job.id: job for job in jobs}
    if not by_id:
        return plan
    lines = list(session.scalars(select(JobPart).where(
        JobPart.job_id.in_(list(by_id)), JobPart.state.in_([JobPartState.RESERVED, JobPartState.AWAITING]))
        .options(joinedload(JobPart.part), joinedload(JobPart.warehouse))))
    if not lines:
        return plan
    needs: dict[str, list[str]] = defaultdict(list)
    held: dict[int, set[str]] = defaultdict(set)  # van warehouse id -> keys reserved there
    for line in lines:
        job, sku, warehouse = by_id[line.job_id], line.part.sku, line.warehouse
        if line.state == JobPartState.AWAITING:
            key = f"{sku}#{job.number}"
            if line.expected_at is not None:
                current = plan.earliest.get(job.number)
                plan.earliest[job.number] = line.expected_at if current is None else max(current, line.expected_at)
                _depot(plan, warehouse)[key] = line.expected_at
            # With no arrival known (nothing could be ordered) no depot offers it: the visit waits, unplanned.
        elif warehouse.kind == WarehouseKind.VAN:
            key = sku
            held[warehouse.id].add(key)
        else:
            key = sku
            _depot(plan, warehouse)[key] = None
        needs[job.number].append(key)
    plan.needs = {number: tuple(keys) for number, keys in needs.items()}
    skus = {line.part_id: line.part.sku for line in lines}
    vans = {t.van_warehouse_id: t.id for t in technicians if t.van_warehouse_id is not None}
    free = defaultdict(set)
    if vans:
        for warehouse_id, part_id in session.execute(
                select(StockLevel.warehouse_id, StockLevel.part_id).where(
                    StockLevel.warehouse_id.in_(list(vans)), StockLevel.part_id.in_(list(skus)),
                    StockLevel.on_hand - StockLevel.reserved >= 1)):
            free[warehouse_id].add(skus[part_id])
    plan.van_parts = {tech_id: frozenset(free[van_id] | held[van_id]) for van_id, tech_id in vans.items()}
    return plan


def _depot(plan: PartsPlan, warehouse: Warehouse) -> dict[str, datetime | None]:
    plan.depots[warehouse.code] = warehouse
    return plan.depot_parts.setdefault(warehouse.code, {})


def pickups_for(session: Session, job: Job) -> list[JobPart]:
    """The job's parts its technician must collect on the way (not in their van)."""
    van_id = job.technician.van_warehouse_id if job.technician is not None else None
    return [line for line in session.scalars(select(JobPart).where(
        JobPart.job_id == job.id, JobPart.state.in_([JobPartState.RESERVED, JobPartState.AWAITING])))
        if line.warehouse_id != van_id]


def follow_plan(session: Session, *, job: Job, actor: Actor, now: datetime) -> None:
    """The job was planned onto a technician: a reservation held elsewhere moves into their van when the
    van has the part free (the routing chose them for that), so the ledger says where the unit really is."""
    van = job.technician.van if job.technician is not None else None
    if van is None:
        return
    for line in pickups_for(session, job):
        if line.state != JobPartState.RESERVED:
            continue
        try:
            with session.begin_nested():
                ledger.reserve(session, warehouse=van, part=line.part, quantity=line.quantity, actor=actor.label,
                               now=now, reason=stock_reason("for_job_van_holds", job=job.number), job_id=job.id)
                ledger.release(session, warehouse=line.warehouse, part=line.part, quantity=line.quantity,
                               actor=actor.label, now=now, reason=stock_reason("job_takes_from", job=job.number, van=van.code),
                               job_id=job.id)
        except InsufficientStock:
            continue  # the van has none free after all: the technician collects it on the way
        line.warehouse, line.updated_at = van, now
    session.flush()
