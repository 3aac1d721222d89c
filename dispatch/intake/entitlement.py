"""What a customer is entitled to, decided from the product's warranty terms and the dates.

The terms are data (a warranty policy row per product line); this module is only the rules that
read them, so a new policy never needs a code change.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from dispatch.catalog.models import Asset, WarrantyTerms
from dispatch.jobs.models import EntitlementKind, JobCategory


@dataclass(frozen=True)
class Entitlement:
    kind: EntitlementKind
    reason: str
    # Last day on which this entitlement still applies (None when it does not expire).
    valid_until: date | None
    # The reason as a code and its facts, so pages can say it in the customer's language.
    reason_code: str = ""
    facts: dict = field(default_factory=dict)


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
                           "a proof of purchase is shown.", None, "no_purchase_date")
    days = max(0, (on - purchase_date).days)
    warranty_end = add_months(purchase_date, terms.free_repair_months)

    if category in _TAKE_BACK_CATEGORIES:
        if terms.return_days and days <= terms.return_days:
            return Entitlement(EntitlementKind.REFUND,
                               f"Reported {days} day(s) after purchase, within the {terms.return_days}-day "
                               "return period: a full refund is available.",
                               date.fromordinal(purchase_date.toordinal() + terms.return_days),
                               "within_return", {"days": days, "limit": terms.return_days})
        if terms.exchange_days and days <= terms.exchange_days:
            return Entitlement(EntitlementKind.EXCHANGE,
                               f"Reported {days} day(s) after purchase, within the {terms.exchange_days}-day "
                               "exchange period: the unit can be exchanged for a new one.",
                               date.fromordinal(purchase_date.toordinal() + terms.exchange_days),
                               "within_exchange", {"days": days, "limit": terms.exchange_days})

    facts = {"months": terms.free_repair_months, "until": warranty_end.isoformat()}
    if on <= warranty_end:
        if category == JobCategory.RETURN_EXCHANGE:
            return Entitlement(EntitlementKind.FREE_REPAIR,
                               f"The {terms.exchange_days}-day exchange period has passed. Under the "
                               f"{terms.free_repair_months}-month warranty until {warranty_end.isoformat()}: "
                               "parts and labour are free.", warranty_end, "exchange_passed_under_warranty",
                               {**facts, "limit": terms.exchange_days})
        return Entitlement(EntitlementKind.FREE_REPAIR,
                           f"Under the {terms.free_repair_months}-month warranty until "
                           f"{warranty_end.isoformat()}: parts and labour are free.", warranty_end,
                           "under_warranty", facts)
    return Entitlement(EntitlementKind.PAID_REPAIR,
                       f"The {terms.free_repair_months}-month warranty ended on {warranty_end.isoformat()}: "
                       "the repair is chargeable; a quote is given before any work.", None, "warranty_ended", facts)


def entitlement_of(asset: Asset, *, on: date, category: JobCategory = JobCategory.QUALITY_DEFECT) -> Entitlement:
    """What the owner of `asset` is entitled to for a fault of `category` reported on the local date `on`:
    the one place the appliance's warranty terms and purchase date meet the rules."""
    return decide_entitlement(asset.product_model.warranty_policy.terms, purchase_date=asset.purchase_date, on=on,
                              category=category)
