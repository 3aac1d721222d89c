"""What a customer is entitled to (三包), decided from the product's warranty terms, the dates, the
component the fault concerns and the appliance's repair history.

The terms are data (a warranty policy row per product line, with per-component terms and the
repeat-repair limit); this module is only the rules that read them, so a new policy never needs a
code change. A verdict is a kind, a reason code and its facts; `dispatch.intake.reasons.explain`
turns the code into words in the reader's language.
"""
from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from core.i18n import use_locale
from dispatch.catalog.models import Asset, WarrantyTerms, normalise_component
from dispatch.intake.faults import fault_area, same_fault
from dispatch.intake.reasons import explain
from dispatch.jobs.models import EntitlementKind, JobCategory


@dataclass(frozen=True)
class Entitlement:
    kind: EntitlementKind
    # Last day on which this entitlement still applies (None when it does not expire).
    valid_until: date | None
    # The reason as a code and its facts (JSON-ready), so every reader can say it in their language.
    reason_code: str = ""
    facts: dict = field(default_factory=dict)
    # What the customer may choose between (the repeat-repair rule offers an exchange or a refund).
    choices: tuple[EntitlementKind, ...] = ()

    @property
    def reason(self) -> str:
        """The reason in the current language."""
        return explain(self.reason_code, self.facts)

    @property
    def reason_en(self) -> str:
        """The reason in English: the text stored on the job beside its code and facts."""
        with use_locale("en"):
            return self.reason


@dataclass(frozen=True)
class PastRepair:
    """An earlier repair on the same appliance: what was reported and the local day it was finished."""
    fault_text: str
    finished_on: date


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Categories for which a faulty or unwanted unit may be taken back rather than repaired.
_TAKE_BACK_CATEGORIES = {JobCategory.QUALITY_DEFECT, JobCategory.RETURN_EXCHANGE}


def _plus_days(day: date, days: int) -> date:
    return date.fromordinal(day.toordinal() + days)


def repeat_repairs(fault_text: str, history: Sequence[PastRepair], *, since: date, until: date) -> int:
    """Earlier repairs of the same fault finished inside the free-repair term [since, until]: the
    fault came back after each, so each counts as a failed repair."""
    if fault_area(fault_text).key is None:
        return 0  # nothing in the text says which fault it is: no earlier repair can be "the same"
    return sum(1 for past in history if since <= past.finished_on <= until and same_fault(fault_text, past.fault_text))


def decide_entitlement(terms: WarrantyTerms, *, purchase_date: date | None, on: date,
                       category: JobCategory = JobCategory.QUALITY_DEFECT, component: str | None = None,
                       fault_text: str = "", history: Sequence[PastRepair] = ()) -> Entitlement:
    """The verdict for a fault of `category` reported on the local date `on`. `component` (a key
    of dispatch.intake.faults) chooses a per-component term when the policy has one; `history` (the
    appliance's earlier repairs) with `fault_text` drives the repeat-repair rule."""
    if purchase_date is None:
        return Entitlement(EntitlementKind.PAID_REPAIR, None, "no_purchase_date")
    days = max(0, (on - purchase_date).days)

    if category in _TAKE_BACK_CATEGORIES:
        if terms.return_days and days <= terms.return_days:
            return Entitlement(EntitlementKind.REFUND, _plus_days(purchase_date, terms.return_days),
                               "within_return", {"days": days, "limit": terms.return_days})
        if terms.exchange_days and days <= terms.exchange_days:
            return Entitlement(EntitlementKind.EXCHANGE, _plus_days(purchase_date, terms.exchange_days),
                               "within_exchange", {"days": days, "limit": terms.exchange_days})

    key = normalise_component(component) if component else None
    component_months = terms.component_months.get(key) if key else None
    months = component_months if component_months is not None else terms.free_repair_months
    term_end = add_months(purchase_date, months)
    facts = {"months": months, "until": term_end.isoformat()}
    if component_months is not None:
        facts["component"] = key

    if on > term_end:
        code = "component_warranty_ended" if component_months is not None else "warranty_ended"
        return Entitlement(EntitlementKind.PAID_REPAIR, None, code, facts)

    if category in _TAKE_BACK_CATEGORIES and terms.repeat_repair_limit > 0:
        repairs = repeat_repairs(fault_text, history, since=purchase_date, until=term_end)
        if repairs >= terms.repeat_repair_limit:
            return Entitlement(EntitlementKind.EXCHANGE, term_end, "repeat_repair",
                               {**facts, "repairs": repairs, "limit": terms.repeat_repair_limit,
                                "choices": [EntitlementKind.EXCHANGE.value, EntitlementKind.REFUND.value]},
                               choices=(EntitlementKind.EXCHANGE, EntitlementKind.REFUND))

    if component_months is not None:
        return Entitlement(EntitlementKind.FREE_REPAIR, term_end, "component_under_warranty", facts)
    if category == JobCategory.RETURN_EXCHANGE:
        return Entitlement(EntitlementKind.FREE_REPAIR, term_end, "exchange_passed_under_warranty",
                           {**facts, "limit": terms.exchange_days})
    return Entitlement(EntitlementKind.FREE_REPAIR, term_end, "under_warranty", facts)


def entitlement_of(asset: Asset, *, on: date, category: JobCategory = JobCategory.QUALITY_DEFECT,
                   fault_text: str = "", component: str | None = None,
                   history: Sequence[PastRepair] = ()) -> Entitlement:
    """What the owner of `asset` is entitled to for a fault of `category` reported on the local date `on`:
    the one place the appliance's warranty terms and purchase date meet the rules."""
    terms = asset.product_model.warranty_policy.terms_for(component=component is not None)
    return decide_entitlement(terms, purchase_date=asset.purchase_date, on=on,
                              category=category, component=component, fault_text=fault_text, history=history)
