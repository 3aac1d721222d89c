from datetime import date

import pytest

from dispatch.catalog.models import WarrantyTerms
from dispatch.intake.entitlement import add_months, decide_entitlement
from dispatch.jobs.models import EntitlementKind, JobCategory

TERMS = WarrantyTerms(return_days=7, exchange_days=15, free_repair_months=12)
BOUGHT = date(2026, 3, 1)


@pytest.mark.parametrize("days_after, expected", [
    (0, EntitlementKind.REFUND),
    (7, EntitlementKind.REFUND),
    (8, EntitlementKind.EXCHANGE),
    (15, EntitlementKind.EXCHANGE),
    (16, EntitlementKind.FREE_REPAIR),
    (365, EntitlementKind.FREE_REPAIR),
])
def test_a_defect_is_refunded_then_exchanged_then_repaired_free(days_after, expected):
    on = date.fromordinal(BOUGHT.toordinal() + days_after)
    assert decide_entitlement(TERMS, purchase_date=BOUGHT, on=on).kind == expected


def test_warranty_ends_on_the_same_day_of_the_month_n_months_later():
    assert decide_entitlement(TERMS, purchase_date=BOUGHT, on=date(2027, 3, 1)).kind == EntitlementKind.FREE_REPAIR
    after = decide_entitlement(TERMS, purchase_date=BOUGHT, on=date(2027, 3, 2))
    assert after.kind == EntitlementKind.PAID_REPAIR
    assert "2027-03-01" in after.reason


def test_unknown_purchase_date_means_paid_repair_with_the_reason_given():
    verdict = decide_entitlement(TERMS, purchase_date=None, on=date(2026, 3, 2))
    assert verdict.kind == EntitlementKind.PAID_REPAIR
    assert "proof of purchase" in verdict.reason


def test_a_usage_question_in_the_first_week_is_not_a_refund():
    verdict = decide_entitlement(TERMS, purchase_date=BOUGHT, on=date(2026, 3, 3), category=JobCategory.USAGE_QUESTION)
    assert verdict.kind == EntitlementKind.FREE_REPAIR


def test_a_return_request_after_the_exchange_window_explains_why_it_is_a_repair():
    verdict = decide_entitlement(TERMS, purchase_date=BOUGHT, on=date(2026, 4, 1), category=JobCategory.RETURN_EXCHANGE)
    assert verdict.kind == EntitlementKind.FREE_REPAIR
    assert "exchange period has passed" in verdict.reason


def test_a_policy_without_a_return_period_goes_straight_to_exchange():
    terms = WarrantyTerms(return_days=0, exchange_days=15, free_repair_months=12)
    assert decide_entitlement(terms, purchase_date=BOUGHT, on=BOUGHT).kind == EntitlementKind.EXCHANGE


def test_add_months_clamps_to_the_end_of_a_shorter_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
