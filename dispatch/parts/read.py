"""The queue of emergency orders placed for jobs, and the "parts late" escalations beside them: what
warehouse staff chase first. Read-only."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import literal, select
from sqlalchemy.orm import Session, selectinload

from dispatch.catalog.models import Asset
from dispatch.jobs.models import Escalation, Job
from inventory.models import OPEN_ORDER_STATUSES, PurchaseOrder, Transfer, Warehouse
from inventory.sourcing import FIT_MARGIN


@dataclass(frozen=True)
class EmergencyOrder:
    """An open emergency transfer or purchase order, with the job it was placed for."""

    order: Transfer | PurchaseOrder
    job: Job | None

    @property
    def kind(self) -> str:
        return "transfer" if isinstance(self.order, Transfer) else "purchase_order"

    @property
    def destination(self) -> Warehouse:
        return self.order.destination

    @property
    def source(self) -> str:
        return self.order.from_warehouse.code if isinstance(self.order, Transfer) else self.order.supplier.code

    @property
    def late(self) -> bool:
        """Arrives too late for the technician to fit it before the job's repair deadline."""
        if self.job is None or self.order.expected_at is None:
            return False
        return self.order.expected_at > self.job.repair_by - FIT_MARGIN


@dataclass(frozen=True)
class EmergencyQueue:
    orders: list[EmergencyOrder]
    escalations: list[Escalation]


def emergency_queue(session: Session, *, limit: int = 200) -> EmergencyQueue:
    """Open emergency orders, the soonest expected first, and the open "parts late" escalations."""
    found: list[EmergencyOrder] = []
    # What every row shows (the part, both ends, the job's local time) is loaded with the rows, so a longer
    # queue costs no more queries.
    ends = {Transfer: (Transfer.from_warehouse, Transfer.to_warehouse),
            PurchaseOrder: (PurchaseOrder.supplier, PurchaseOrder.warehouse)}
    for model in (Transfer, PurchaseOrder):
        rows = session.execute(
            select(model, Job).outerjoin(Job, Job.id == model.job_id)
            .where(model.emergency.is_(True), model.status.in_(OPEN_ORDER_STATUSES))
            .options(selectinload(model.part), *(selectinload(end) for end in ends[model]),
                     selectinload(Job.asset).selectinload(Asset.region))
            .order_by(model.expected_at, model.id).limit(limit))
        found.extend(EmergencyOrder(order, job) for order, job in rows)
    found.sort(key=lambda item: (item.order.expected_at is None,
                                 item.order.expected_at.timestamp() if item.order.expected_at else 0.0,
                                 item.order.number))
    escalations = list(session.scalars(
        select(Escalation).where(Escalation.kind == literal("parts_late"))
        .order_by(Escalation.raised_at.desc()).limit(limit)))
    return EmergencyQueue(found[:limit], escalations)
