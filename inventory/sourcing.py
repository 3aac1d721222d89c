"""Emergency sourcing: when a job's part is not where it is needed, find the way to get it there in time.

Every option is priced and timed — a transfer from each warehouse holding the part (transit time from
the distance), and an expedited purchase from each supplier (their lead time) — and judged by whether
the part arrives early enough to keep the job's repair deadline. The fastest such option wins; when
two arrive within the same quarter hour the cheaper one does (nobody pays a premium for minutes). When
none keeps the deadline, the fastest is still ordered and the case is escalated with that reason.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory import orders
from inventory.models import Part, StockLevel, Supplier, Warehouse, WarehouseKind

TIE_GRANULARITY = timedelta(minutes=15)
# After the part arrives the technician still has to fetch it, travel and repair: the part must be
# there this long before the repair deadline for the promise to hold.
FIT_MARGIN = timedelta(hours=2)


@dataclass(frozen=True)
class SourcingOption:
    kind: str  # "transfer" or "purchase"
    arrives_at: datetime
    cost: Decimal
    source: Warehouse | None = None  # for a transfer
    supplier: Supplier | None = None  # for a purchase

    @property
    def label(self) -> str:
        if self.kind == "transfer":
            return f"transfer from {self.source.code}"
        return f"expedited purchase from {self.supplier.code}"

    @property
    def label_reason(self) -> dict[str, Any]:
        """`label` as a reason code with its facts (said in the reader's language by inventory.reasons)."""
        if self.kind == "transfer":
            return {"code": "transfer_from", "source": self.source.code}
        return {"code": "purchase_from", "supplier": self.supplier.code}


@dataclass(frozen=True)
class SourcingDecision:
    chosen: SourcingOption | None
    options: list[SourcingOption]
    needed_by: datetime
    keeps_deadline: bool
    reason: str
    # `reason` as a code with its facts ({"code": ..., **facts}), for pages in the reader's language.
    reason_facts: dict[str, Any] = field(default_factory=dict)


def sourcing_options(session: Session, *, part: Part, quantity: int, destination: Warehouse, now: datetime,
                     exclude_sources: Collection[int] = (), exclude_suppliers: Collection[int] = ()
                     ) -> list[SourcingOption]:
    """Every way to bring the part; `exclude_*` are warehouse and supplier ids that already let this
    need down (a cancelled transfer or purchase order) and are not asked again."""
    options = []
    stocked = session.scalars(
        select(Warehouse).join(StockLevel, StockLevel.warehouse_id == Warehouse.id)
        .where(StockLevel.part_id == part.id, StockLevel.on_hand - StockLevel.reserved >= quantity,
               Warehouse.id != destination.id, Warehouse.kind != WarehouseKind.VAN)
        .order_by(Warehouse.id))
    for source in stocked:
        if source.id in exclude_sources:
            continue
        transit, cost = orders.transfer_transit(source, destination)
        options.append(SourcingOption("transfer", now + transit, cost, source=source))
    for quote in orders.quotes(session, part=part, quantity=quantity, expedited=True):
        if quote.supplier.id in exclude_suppliers:
            continue
        options.append(SourcingOption("purchase", now + quote.lead, quote.total, supplier=quote.supplier))
    return options


def choose(options: list[SourcingOption], *, needed_by: datetime) -> SourcingDecision:
    """The fastest option arriving by `needed_by`, cost breaking ties; else the fastest of all."""
    def rank(option: SourcingOption):
        slot = (option.arrives_at - datetime.min.replace(tzinfo=option.arrives_at.tzinfo)) // TIE_GRANULARITY
        return slot, option.cost, option.arrives_at

    in_time = sorted((o for o in options if o.arrives_at <= needed_by), key=rank)
    if in_time:
        best = in_time[0]
        return SourcingDecision(best, options, needed_by, True,
                                f"{best.label}: arrives {best.arrives_at:%Y-%m-%d %H:%M} UTC, in time for the "
                                f"repair deadline (fastest of {len(options)} option(s); cost {best.cost})",
                                {"code": "in_time", "option": best.label_reason,
                                 "arrives": f"{best.arrives_at:%Y-%m-%d %H:%M}", "options": len(options),
                                 "cost": str(best.cost)})
    if not options:
        return SourcingDecision(None, options, needed_by, False,
                                "no warehouse holds the part and no supplier sells it", {"code": "no_source"})
    fastest = sorted(options, key=rank)[0]
    late = fastest.arrives_at - needed_by
    return SourcingDecision(fastest, options, needed_by, False,
                            f"no option keeps the repair deadline: the fastest, {fastest.label}, arrives "
                            f"{_hours(late)} too late",
                            {"code": "too_late", "option": fastest.label_reason,
                             "late": {"code": "hours", "hours": f"{late.total_seconds() / 3600:.1f}"}})


def _hours(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 3600:.1f} h"


def place_order(session: Session, *, decision: SourcingDecision, part: Part, quantity: int, destination: Warehouse,
                actor: str, now: datetime, job_id: int | None,
                approval_limit: Decimal | None = orders.DEFAULT_PURCHASE_APPROVAL_LIMIT):
    """Create the transfer or expedited purchase order the decision chose, with its reason recorded (a
    purchase above `approval_limit` waits for a manager's approval)."""
    option = decision.chosen
    if option is None:
        return None
    if option.kind == "transfer":
        return orders.request_transfer(session, part=part, quantity=quantity, source=option.source,
                                       destination=destination, actor=actor, now=now, reason=decision.reason,
                                       job_id=job_id, emergency=True, reason_fact=decision.reason_facts or None)
    return orders.create_purchase_order(session, part=part, quantity=quantity, warehouse=destination, now=now,
                                        supplier=option.supplier, expedited=True, reason=decision.reason,
                                        job_id=job_id, emergency=True, approval_limit=approval_limit,
                                        reason_fact=decision.reason_facts or None)

