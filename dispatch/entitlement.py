"""What a customer is entitled to, decided from the product's warranty terms and the dates.

The terms are data (a warranty policy row per product line); this module is only the rules that
read them, so a new policy never needs a code change.
"""
from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass
from datetime import date

from dispatch.classifier import JobCategory


class EntitlementKind(enum.StrEnum):
    REFUND = "refund"
    EXCHANGE = "exchange"
    FREE_REPAIR = "free_repair"
    PAID_REPAIR = "paid_repair"


@dataclass(frozen=True)
class WarrantyTerms:
    return_days: int
    exchange_days: int
    free_repair_months: int


@dataclass(frozen=True)
class Entitlement:
    kind: EntitlementKind
    reason: str
    # Last day on which this entitlement still applies (None when it does not expire).
    valid_until: date | None


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Categories for which a faulty or unwanted unit may be taken back rather than repaired.
_TAKE_BACK_CATEGORIES = {JobCategory.QUALITY_DEFECT, JobCategory.RETURN_EXCHANGE}


def decide_entitlement(terms: WarrantyTerms, *, purchase_date: date | None, on: date,
                       category: JobCategory = JobCategory.QUALITY_DEFECT) -> Entitlement:
    if purchase_date is None:
        return Entitlement(EntitlementKind.PAID_REPAIR,
                           "No purchase date is on record, so the repair is chargeable unless "
                           "a proof of purchase is shown.", None)
    days = max(0, (on - purchase_date).days)
    warranty_end = add_months(purchase_date, terms.free_repair_months)

    if category in _TAKE_BACK_CATEGORIES:
        if terms.return_days and days <= terms.return_days:
            return Entitlement(EntitlementKind.REFUND,
                               f"Reported {days} day(s) after purchase, within the {terms.return_days}-day "
                               "return period: a full refund is available.",
                               date.fromordinal(purchase_date.toordinal() + terms.return_days))
        if terms.exchange_days and days <= terms.exchange_days:
            return Entitlement(EntitlementKind.EXCHANGE,
                               f"Reported {days} day(s) after purchase, within the {terms.exchange_days}-day "
                               "exchange period: the unit can be exchanged for a new one.",
                               date.fromordinal(purchase_date.toordinal() + terms.exchange_days))

    if on <= warranty_end:
        lead = ""
        if category == JobCategory.RETURN_EXCHANGE:
            lead = f"The {terms.exchange_days}-day exchange period has passed. "
        return Entitlement(EntitlementKind.FREE_REPAIR,
                           f"{lead}Under the {terms.free_repair_months}-month warranty until "
                           f"{warranty_end.isoformat()}: parts and labour are free.", warranty_end)
    return Entitlement(EntitlementKind.PAID_REPAIR,
                       f"The {terms.free_repair_months}-month warranty ended on {warranty_end.isoformat()}: "
                       "the repair is chargeable; a quote is given before any work.", None)
