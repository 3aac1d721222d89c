"""Why a transfer or purchase order was made, said in the reader's language.

The English text is still stored in `reason` (the API and rows older than the codes show it); beside
it Transfer/PurchaseOrder.reason_code and reason_facts, from which pages make the words through the
gettext catalogue. dispatch.jobs.reasons includes these texts, since a part's sourcing reason is also
a job's reason.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from core import reasons as core_reasons
from core.i18n import N_

reason, typed = core_reasons.reason, core_reasons.typed

# code -> msgid; the English msgid is exactly the text written at the time.
REASON_TEXTS = {
    # Sourcing a part for a job (inventory.sourcing).
    "no_source": N_("no warehouse holds the part and no supplier sells it"),
    "too_late": N_("no option keeps the repair deadline: the fastest, %(option)s, arrives %(late)s too late"),
    "in_time": N_("%(option)s: arrives %(arrives)s UTC, in time for the repair deadline (fastest of %(options)s "
                  "option(s); cost %(cost)s)"),
    "transfer_from": N_("transfer from %(source)s"),
    "purchase_from": N_("expedited purchase from %(supplier)s"),
    "hours": N_("%(hours)s h"),
    # A purchase above the approval limit, and what the manager did (inventory.orders).
    "approval_wait": N_("waits for a manager's approval: its total %(total)s is above the approval limit "
                        "%(limit)s; it is not placed with the supplier until approved"),
    "approved_by": N_("approved by %(actor)s at %(at)s UTC"),
    "declined_by": N_("declined by %(actor)s at %(at)s UTC"),
    "declined_by_because": N_("declined by %(actor)s at %(at)s UTC: %(why)s"),
    # Why the stock ledger moved (StockMovement.reason_code): transfers and purchase orders (inventory.orders),
    # parts for jobs (dispatch.parts), stock counts (setup_files) and a receipt nobody wrote a note for.
    "held_for_transfer": N_("held for transfer %(transfer)s"),
    "shipped_on": N_("shipped on %(transfer)s"),
    "received_from": N_("received from %(transfer)s"),
    "received_from_short": N_("received from %(transfer)s (%(short)s short)"),
    "transfer_cancelled": N_("%(transfer)s cancelled"),
    "received_on": N_("received on %(order)s"),
    "goods_received": N_("goods received"),
    "for_job": N_("for job %(job)s"),
    "for_job_arrived_on": N_("for job %(job)s, arrived on %(order)s"),
    "for_job_van_holds": N_("for job %(job)s (van holds it)"),
    "job_takes_from": N_("job %(job)s takes it from %(van)s"),
    "fitted_at_job": N_("fitted at job %(job)s"),
    "released_for_job": N_("job %(job)s: %(why)s"),
    "job_cancelled": N_("job cancelled"),
    "job_completed": N_("job completed"),
    "job_remote_resolved": N_("job resolved remotely"),
    "opening_count_import": N_("opening stock count (import)"),
    "stock_count_import": N_("stock count (import)"),
    "opening_count": N_("opening stock count"),
    "van_stock": N_("van stock"),
    # The scheduled restock (inventory.restock).
    "restock_transfer": N_("restock: %(warehouse)s %(sku)s: position %(position)s < min %(min)s; "
                           "%(quantity)s from %(source)s"),
    "restock_purchase": N_("restock: %(warehouse)s %(sku)s: position %(position)s < min %(min)s; "
                           "%(quantity)s from a supplier"),
}


def explain(code: str | None, facts: Mapping | None = None, fallback: str = "",
            names: Mapping[str, Callable[[str], str]] | None = None) -> str:
    """The reason `code` with its `facts` in the current language; `fallback` for a row without a code."""
    return core_reasons.explain(REASON_TEXTS, code, facts, fallback, names)


def english(code: str, facts: Mapping | None = None) -> str:
    return core_reasons.english(REASON_TEXTS, code, facts)


def joined(*parts: dict[str, Any] | None) -> dict[str, Any] | None:
    """Reasons one after the other (a reason, the wait for approval, the approval) as one reason; None
    when there are none."""
    parts = [p for p in parts if p and (p.get("code") or p.get("text"))]
    flat = []
    for part in parts:
        flat.extend(part["reasons"] if part.get("code") == core_reasons.SEVERAL else [part])
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else reason(core_reasons.SEVERAL, reasons=flat)


def split(stored: dict[str, Any] | None) -> tuple[str | None, dict[str, Any] | None]:
    """A reason as the (reason_code, reason_facts) columns."""
    if not stored or not stored.get("code"):
        return None, None
    return stored["code"], {k: v for k, v in stored.items() if k != "code"}


def as_fact(code: str | None, facts: Mapping | None, text: str) -> dict[str, Any] | None:
    """A stored reason (columns, or only the text of an older row or of a person) as a fact."""
    if code:
        return {**(facts or {}), "code": code}
    return typed(text) if text else None
