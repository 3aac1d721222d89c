"""Parts for jobs: reserve where the technician can get them fastest, source emergencies, consume on
completion, give back on cancellation.

Where a reservation comes from, in order: the assigned technician's van (no detour at all), then the
nearest warehouse serving the job's region (a pickup stop on the way). When neither holds the part,
emergency sourcing orders it to the nearest serving warehouse, the job waits for parts, and dispatch
plans the visit no earlier than the part's arrival.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.geo import haversine_matrix_m
from core.regions import local_stamp
from dispatch.jobs import reasons
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import Escalation, EventKind, Job
from dispatch.jobs.services import record_event, transition_job
from dispatch.jobs.status import ALLOWED_TRANSITIONS, JobStatus
from dispatch.jobs.work import request_dispatch
from inventory import ledger, sourcing
from inventory.ledger import InsufficientStock, StockError
from inventory.models import (
    JobPart,
    JobPartState,
    OrderStatus,
    Part,
    PurchaseOrder,
    Transfer,
    Warehouse,
    WarehouseKind,
    warehouse_regions,
)
from inventory.orders import DEFAULT_PURCHASE_APPROVAL_LIMIT
from inventory.reasons import reason as stock_reason
from inventory.reasons import typed as stock_typed

# A part can be asked for while the job is still open and before the repair is done.
_NEEDS_PARTS_STATUSES = frozenset({JobStatus.REPORTED, JobStatus.TRIAGED, JobStatus.ASSIGNED, JobStatus.EN_ROUTE,
                                   JobStatus.ON_SITE, JobStatus.WAITING_PARTS})
# What one repair can need of one part, all its lines together (reserved and on their way): more is a
# typing slip or a runaway client, not a repair. The technician's forms use the same bound.
MAX_UNITS_PER_PART = 50


@dataclass(frozen=True)
class PartOutcome:
    line: JobPart
    emergency: sourcing.SourcingDecision | None = None
    escalated: bool = False

    @property
    def summary(self) -> str:
        if self.line.state == JobPartState.RESERVED:
            return f"{self.line.quantity} × {self.line.part.sku} reserved at {self.line.warehouse.code}"
        return f"{self.line.quantity} × {self.line.part.sku} ordered: {self.emergency.reason}"


def parts_for_job(session: Session, job: Job) -> list[JobPart]:
    return parts_for_jobs(session, [job.id]).get(job.id, [])


def parts_for_jobs(session: Session, job_ids: list[int]) -> dict[int, list[JobPart]]:
    """Each job's part lines, with their part and warehouse, in one query (for a whole route at once)."""
    found: dict[int, list[JobPart]] = {}
    if job_ids:
        for line in session.scalars(select(JobPart).where(JobPart.job_id.in_(job_ids)).order_by(JobPart.id)
                                    .options(selectinload(JobPart.part), selectinload(JobPart.warehouse))):
            found.setdefault(line.job_id, []).append(line)
    return found


def serving_warehouses(session: Session, job: Job) -> list[Warehouse]:
    """Warehouses serving the job's region, nearest to the job first."""
    region_id = job.asset.region_id
    if region_id is None:
        return []
    warehouses = list(session.scalars(
        select(Warehouse).join(warehouse_regions, warehouse_regions.c.warehouse_id == Warehouse.id)
        .where(warehouse_regions.c.region_id == region_id, Warehouse.kind != WarehouseKind.VAN,
               Warehouse.latitude.is_not(None))
        .order_by(Warehouse.id)))
    if not warehouses:
        return []
    distances = haversine_matrix_m([(job.latitude, job.longitude)],
                                   [(w.latitude, w.longitude) for w in warehouses])[0]
    return [w for _, w in sorted(zip(distances, warehouses), key=lambda pair: pair[0])]


def request_part(session: Session, *, job: Job, part: Part, quantity: int, actor: Actor, now: datetime,
                 approval_limit: Decimal | None = DEFAULT_PURCHASE_APPROVAL_LIMIT) -> PartOutcome:
    """The "need a part" step: reserve it, or order it in time for the repair deadline (a purchase above
    `approval_limit` is created waiting for a manager's approval; the job waits for parts meanwhile)."""
    ledger.check_quantity(quantity)
    if job.status not in _NEEDS_PARTS_STATUSES:
        raise StockError(f"Job {job.number} is {job.status}; parts can only be requested for an open job.",
                         field="job")
    _check_within_repair_bound(session, job=job, part=part, quantity=quantity)
    van = job.technician.van if job.technician is not None else None
    for warehouse in ([van] if van is not None else []) + serving_warehouses(session, job):
        try:
            ledger.reserve(session, warehouse=warehouse, part=part, quantity=quantity, actor=actor.label, now=now,
                           reason=stock_reason("for_job", job=job.number), job_id=job.id)
        except InsufficientStock:
            continue
        line = _line(session, job, part, quantity, JobPartState.RESERVED, now, warehouse=warehouse)
        record_event(job, kind=EventKind.PARTS, actor=actor, now=now,
                     note=f"{quantity} × {part.sku} reserved at {warehouse.code}", note_code="reserved_at",
                     note_facts={"quantity": quantity, "sku": part.sku, "warehouse": warehouse.code})
        if warehouse is not van and job.status == JobStatus.ON_SITE:
            # Not in the van: the technician has to fetch it, so the visit is planned again with a pickup.
            transition_job(session, job=job, to=JobStatus.WAITING_PARTS, actor=actor, now=now,
                           note=f"{part.sku} is ready at {warehouse.code}", note_code="ready_at",
                           note_facts={"sku": part.sku, "warehouse": warehouse.code})
        return PartOutcome(line)
    return _source_emergency(session, job=job, part=part, quantity=quantity, actor=actor, now=now,
                             approval_limit=approval_limit)


def _check_within_repair_bound(session: Session, *, job: Job, part: Part, quantity: int) -> None:
    if quantity > MAX_UNITS_PER_PART:
        raise StockError(f"A repair needs at most {MAX_UNITS_PER_PART} units of one part; {quantity} were asked for.")
    held = sum(line.quantity for line in parts_for_job(session, job)
               if line.part_id == part.id and line.state in (JobPartState.RESERVED, JobPartState.AWAITING))
    if held + quantity > MAX_UNITS_PER_PART:
        raise StockError(f"Job {job.number} already has {held} × {part.sku} reserved or on its way; a repair needs "
                         f"at most {MAX_UNITS_PER_PART} units of one part.")


def _source_emergency(session: Session, *, job: Job, part: Part, quantity: int, actor: Actor, now: datetime,
                      approval_limit: Decimal | None) -> PartOutcome:
    destination, decision, order = _emergency_order(session, job=job, part=part, quantity=quantity, actor=actor,
                                                    now=now, approval_limit=approval_limit)
    line = _line(session, job, part, quantity, JobPartState.AWAITING, now, warehouse=destination,
                 expected_at=order.expected_at if order else None, note=_sourcing_note(decision, order),
                 transfer=order if isinstance(order, Transfer) else None,
                 purchase_order=order if isinstance(order, PurchaseOrder) else None)
    escalated = not decision.keeps_deadline
    if escalated:
        session.add(Escalation(job=job, kind="parts_late", reason=f"{part.sku}: {decision.reason}",
                               reason_code="part_late", reason_facts={"sku": part.sku, "why": decision.reason_facts},
                               raised_at=now))
    arrival = f", expected {local_stamp(order.expected_at, job.asset.region)}" if order else ""
    note = f"{quantity} × {part.sku} not in stock nearby: {_sourcing_note(decision, order)}{arrival}"
    if job.status == JobStatus.REPORTED:  # asking for a part is a triage decision in itself
        transition_job(session, job=job, to=JobStatus.TRIAGED, actor=actor, now=now, note="a part is needed",
                       note_code="part_needed", note_facts={})
    facts = {"quantity": quantity, "sku": part.sku, "why": _sourcing_facts(decision, order)}
    if order:
        facts["expected"] = local_stamp(order.expected_at, job.asset.region)
    _wait_for_parts(session, job=job, actor=actor, now=now, note=note,
                    note_code="not_in_stock_nearby_expected" if order else "not_in_stock_nearby", note_facts=facts)
    session.flush()
    return PartOutcome(line, emergency=decision, escalated=escalated)


def _emergency_order(session: Session, *, job: Job, part: Part, quantity: int, actor: Actor, now: datetime,
                     approval_limit: Decimal | None, exclude_sources: frozenset[int] = frozenset(),
                     exclude_suppliers: frozenset[int] = frozenset()):
    """Order the part to the nearest warehouse serving the job by the way that keeps its deadline:
    (destination, decision, the transfer or purchase order, or None when nothing can bring it)."""
    destinations = serving_warehouses(session, job)
    if not destinations:
        raise StockError(f"No warehouse serves the region of job {job.number}; the part cannot be sourced.",
                         field="job")
    destination = destinations[0]
    options = sourcing.sourcing_options(session, part=part, quantity=quantity, destination=destination, now=now,
                                        exclude_sources=exclude_sources, exclude_suppliers=exclude_suppliers)
    decision = sourcing.choose(options, needed_by=job.repair_by - sourcing.FIT_MARGIN)
    order = sourcing.place_order(session, decision=decision, part=part, quantity=quantity, destination=destination,
                                 actor=actor.label, now=now, job_id=job.id, approval_limit=approval_limit)
    return destination, decision, order


def _sourcing_note(decision: sourcing.SourcingDecision, order: Transfer | PurchaseOrder | None) -> str:
    if isinstance(order, PurchaseOrder) and order.status == OrderStatus.PENDING_APPROVAL:
        return f"{decision.reason}; {order.number} waits for a manager's approval (total {order.total_cost})"
    return decision.reason


def _sourcing_facts(decision: sourcing.SourcingDecision, order: Transfer | PurchaseOrder | None) -> dict:
    """`_sourcing_note` as a reason with its facts (dispatch.jobs.reasons)."""
    if isinstance(order, PurchaseOrder) and order.status == OrderStatus.PENDING_APPROVAL:
        return reasons.reason("awaits_approval", why=decision.reason_facts, order=order.number,
                              total=str(order.total_cost))
    return decision.reason_facts


def _wait_for_parts(session: Session, *, job: Job, actor: Actor, now: datetime, note: str,
                    note_code: str | None = None, note_facts: dict | None = None) -> bool:
    """The job waits for parts (its visit is planned again after the arrival); False when it already did
    or cannot now (only the note is recorded)."""
    if JobStatus.WAITING_PARTS in ALLOWED_TRANSITIONS[job.status]:
        transition_job(session, job=job, to=JobStatus.WAITING_PARTS, actor=actor, now=now, note=note,
                       note_code=note_code, note_facts=note_facts)
        return True
    record_event(job, kind=EventKind.PARTS, actor=actor, now=now, note=note, note_code=note_code,
                 note_facts=note_facts)
    return False


def order_approved(session: Session, *, order: PurchaseOrder, actor: Actor, now: datetime) -> list[JobPart]:
    """A manager approved a purchase order a job waits for: the job's line expects it from the new time."""
    lines = _awaiting(session, order)
    for line in lines:
        job = session.get(Job, line.job_id)
        line.expected_at, line.updated_at = order.expected_at, now
        expected = local_stamp(order.expected_at, job.asset.region)
        line.note = f"{order.number} approved by {order.approved_by}; expected {expected}"
        record_event(job, kind=EventKind.PARTS, actor=actor, now=now,
                     note=f"{line.quantity} × {line.part.sku}: {line.note}", note_code="part_line",
                     note_facts={"quantity": line.quantity, "sku": line.part.sku,
                                 "why": reasons.reason("order_approved_expected", order=order.number,
                                                       manager=order.approved_by, expected=expected)})
    session.flush()
    return lines


def order_cancelled(session: Session, *, order: Transfer | PurchaseOrder, actor: Actor, now: datetime,
                    approval_limit: Decimal | None = DEFAULT_PURCHASE_APPROVAL_LIMIT) -> list[JobPart]:
    """A transfer or purchase order a job waits for was cancelled (or declined): the part is sourced for
    the job again, never from a source that already let this need down; when nothing can bring it, or
    nothing in time, the job is escalated. The job keeps waiting for parts either way."""
    lines = _awaiting(session, order)
    for line in lines:
        job = session.get(Job, line.job_id)
        if not job.is_open:
            continue
        failed_sources, failed_suppliers = _let_down(session, job=job, part=line.part)
        destination, decision, replacement = _emergency_order(
            session, job=job, part=line.part, quantity=line.quantity, actor=actor, now=now,
            approval_limit=approval_limit, exclude_sources=failed_sources, exclude_suppliers=failed_suppliers)
        line.warehouse, line.updated_at = destination, now
        line.transfer = replacement if isinstance(replacement, Transfer) else None
        line.purchase_order = replacement if isinstance(replacement, PurchaseOrder) else None
        line.expected_at = replacement.expected_at if replacement else None
        line.note = f"{order.number} was cancelled; " + (
            f"sourced again: {_sourcing_note(decision, replacement)}" if replacement else
            f"nothing else can bring it: {decision.reason}")
        why = (reasons.reason("cancelled_sourced_again", order=order.number,
                              why=_sourcing_facts(decision, replacement)) if replacement else
               reasons.reason("cancelled_nothing_else", order=order.number, why=decision.reason_facts))
        if not decision.keeps_deadline:
            session.add(Escalation(job=job, kind="parts_late", reason=f"{line.part.sku}: {line.note}",
                                   reason_code="part_late", reason_facts={"sku": line.part.sku, "why": why},
                                   raised_at=now))
        moved = _wait_for_parts(session, job=job, actor=actor, now=now,
                                note=f"{line.quantity} × {line.part.sku}: {line.note}", note_code="part_line",
                                note_facts={"quantity": line.quantity, "sku": line.part.sku, "why": why})
        if not moved and replacement is not None and job.status == JobStatus.WAITING_PARTS and job.plan_day is None:
            request_dispatch(session, job, now=now)  # planned again, after the new arrival
    session.flush()
    return lines


def _awaiting(session: Session, order: Transfer | PurchaseOrder) -> list[JobPart]:
    column = JobPart.transfer_id if isinstance(order, Transfer) else JobPart.purchase_order_id
    return list(session.scalars(select(JobPart).where(column == order.id, JobPart.state == JobPartState.AWAITING)
                                .order_by(JobPart.id)))


def _let_down(session: Session, *, job: Job, part: Part) -> tuple[frozenset[int], frozenset[int]]:
    """The warehouses and suppliers whose orders of this part for this job were cancelled."""
    sources = session.scalars(select(Transfer.from_warehouse_id).where(
        Transfer.job_id == job.id, Transfer.part_id == part.id, Transfer.status == OrderStatus.CANCELLED))
    suppliers = session.scalars(select(PurchaseOrder.supplier_id).where(
        PurchaseOrder.job_id == job.id, PurchaseOrder.part_id == part.id,
        PurchaseOrder.status == OrderStatus.CANCELLED))
    return frozenset(sources), frozenset(suppliers)


def _line(session: Session, job: Job, part: Part, quantity: int, state: JobPartState, now: datetime, *,
          warehouse: Warehouse | None, expected_at: datetime | None = None, note: str = "",
          transfer: Transfer | None = None, purchase_order: PurchaseOrder | None = None) -> JobPart:
    line = JobPart(job_id=job.id, part=part, quantity=quantity, state=state, warehouse=warehouse,
                   expected_at=expected_at, note=note, transfer=transfer, purchase_order=purchase_order,
                   created_at=now, updated_at=now)
    session.add(line)
    session.flush()
    return line


def arrived(session: Session, *, order: Transfer | PurchaseOrder, actor: Actor, now: datetime) -> list[JobPart]:
    """An order placed for a job was received: hold the units for the job where they landed, and let
    dispatch plan the visit from now on."""
    lines = _awaiting(session, order)
    destination = order.destination
    for line in lines:
        job = session.get(Job, line.job_id)
        try:
            ledger.reserve(session, warehouse=destination, part=line.part, quantity=line.quantity, actor=actor.label,
                           now=now, reason=stock_reason("for_job_arrived_on", job=job.number, order=order.number),
                           job_id=job.id)
        except InsufficientStock:
            # Fewer arrived than ordered: the line keeps waiting and a person sees it in the emergency queue.
            line.note = f"{order.number} arrived short; still waiting"
            continue
        line.state, line.warehouse, line.updated_at = JobPartState.RESERVED, destination, now
        record_event(job, kind=EventKind.PARTS, actor=actor, now=now,
                     note=f"{line.quantity} × {line.part.sku} arrived at {destination.code} ({order.number})",
                     note_code="arrived_at", note_facts={"quantity": line.quantity, "sku": line.part.sku,
                                                         "warehouse": destination.code, "order": order.number})
        if job.status == JobStatus.WAITING_PARTS and job.plan_day is None:
            request_dispatch(session, job, now=now)
    session.flush()
    return lines


def consume_parts(session: Session, *, job: Job, used: list[tuple[Part, int]], actor: Actor,
                  now: datetime) -> list[JobPart]:
    """Parts fitted at the job: taken from its reservations first, the rest from the technician's van."""
    consumed = []
    lines = [line for line in parts_for_job(session, job) if line.state == JobPartState.RESERVED]
    for part, quantity in used:
        remaining = ledger.check_quantity(quantity, field="parts")
        for line in (line for line in lines if line.part_id == part.id and line.state == JobPartState.RESERVED):
            take = min(remaining, line.quantity)
            ledger.consume(session, warehouse=line.warehouse, part=part, quantity=take, actor=actor.label, now=now,
                           job_id=job.id, from_reservation=True, reason=stock_reason("fitted_at_job", job=job.number))
            if take < line.quantity:  # the rest stays reserved on a line of its own
                lines.append(_line(session, job, part, line.quantity - take, JobPartState.RESERVED, now,
                                   warehouse=line.warehouse))
            line.quantity, line.state, line.updated_at = take, JobPartState.CONSUMED, now
            consumed.append(line)
            remaining -= take
            if remaining == 0:
                break
        if remaining:
            van = job.technician.van if job.technician is not None else None
            if van is None:
                raise StockError(f"{remaining} × {part.sku} was not reserved for this job and there is no van "
                                 f"to take it from.", field="parts")
            ledger.consume(session, warehouse=van, part=part, quantity=remaining, actor=actor.label, now=now,
                           job_id=job.id, from_reservation=False, reason=stock_reason("fitted_at_job", job=job.number))
            consumed.append(_line(session, job, part, remaining, JobPartState.CONSUMED, now, warehouse=van))
    session.flush()
    return consumed


def release_parts(session: Session, *, job: Job, actor: Actor, now: datetime, reason: str | dict) -> list[JobPart]:
    """Give back what the job no longer needs: reserved units return to stock; parts on their way keep
    coming (they land as ordinary stock) but are no longer the job's. `reason` is a person's words or
    a reason (inventory.reasons)."""
    why = reason if isinstance(reason, dict) else stock_typed(reason)
    released = []
    for line in parts_for_job(session, job):
        if line.state == JobPartState.RESERVED:
            ledger.release(session, warehouse=line.warehouse, part=line.part, quantity=line.quantity,
                           actor=actor.label, now=now, reason=stock_reason("released_for_job", job=job.number, why=why), job_id=job.id)
        elif line.state != JobPartState.AWAITING:
            continue
        line.state, line.updated_at = JobPartState.RELEASED, now
        released.append(line)
    session.flush()
    return released
