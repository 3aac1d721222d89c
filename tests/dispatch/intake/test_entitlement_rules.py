"""三包 verdicts from the policy data: per-component terms, the repeat-repair rule, and the reason
texts in both languages."""
from __future__ import annotations

from datetime import date, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from core.i18n import use_locale
from dispatch.catalog.models import ComponentTerm, WarrantyTerms
from dispatch.intake.classifier import classify
from dispatch.intake.entitlement import PastRepair, decide_entitlement
from dispatch.intake.faults import detect_component, fault_area, same_fault
from dispatch.intake.reasons import REASON_TEXTS, explain, placeholders
from dispatch.intake.services import FaultReport, report_fault
from dispatch.jobs.audit import CUSTOMER
from dispatch.jobs.models import Channel, EntitlementKind, JobCategory
from dispatch.jobs.status import JobStatus
from tests.builders.dispatch import make_asset, make_model
from tests.conftest import NOW

BOUGHT = date(2026, 3, 1)
TERMS = WarrantyTerms(return_days=7, exchange_days=15, free_repair_months=12,
                      component_months=MappingProxyType({"compressor": 36}), repeat_repair_limit=2)
TZ = ZoneInfo("Asia/Shanghai")


def _repairs(text: str, *days: date) -> list[PastRepair]:
    return [PastRepair(text, day) for day in days]


# --- which component, which fault ---

@pytest.mark.parametrize("text, component", [
    ("The compressor makes a loud clicking noise", "compressor"),
    ("压缩机不启动，冰箱不制冷", "compressor"),
    ("Drum motor burnt out", "motor"),
    ("洗衣机电机异响", "motor"),
    ("Heating element gone, no hot water", "heating element"),
    ("主板烧了", "control board"),
    ("The fridge is not cooling", None),
])
def test_the_component_a_report_names_is_found_in_either_language(text, component):
    assert detect_component(text) == component
    assert classify(text).component == component


def test_two_reports_are_the_same_fault_by_component_else_by_symptom():
    assert same_fault("compressor is noisy", "压缩机坏了")
    assert same_fault("The fridge is not cooling", "冰箱不制冷了")
    assert not same_fault("The fridge is not cooling", "The fridge is leaking")
    assert not same_fault("it is broken", "it is broken")  # says too little to tell
    assert fault_area("The fan is noisy since the compressor was replaced").component == "fan"


# --- per-component terms ---

def test_a_component_covered_longer_is_repaired_free_after_the_appliance_warranty():
    on = date(2028, 1, 10)  # 22 months after purchase: the 12-month warranty is over
    assert decide_entitlement(TERMS, purchase_date=BOUGHT, on=on).kind == EntitlementKind.PAID_REPAIR
    verdict = decide_entitlement(TERMS, purchase_date=BOUGHT, on=on, component="compressor")
    assert verdict.kind == EntitlementKind.FREE_REPAIR and verdict.reason_code == "component_under_warranty"
    assert verdict.facts == {"months": 36, "until": "2029-03-01", "component": "compressor"}
    assert verdict.valid_until == date(2029, 3, 1)
    assert verdict.reason == "The compressor is covered for 36 months, until 2029-03-01: parts and labour are free."


def test_a_component_term_ends_too():
    verdict = decide_entitlement(TERMS, purchase_date=BOUGHT, on=date(2029, 3, 2), component="Compressor")
    assert verdict.kind == EntitlementKind.PAID_REPAIR and verdict.reason_code == "component_warranty_ended"
    assert verdict.facts["component"] == "compressor" and verdict.facts["until"] == "2029-03-01"


def test_a_component_without_its_own_term_follows_the_appliance_warranty():
    verdict = decide_entitlement(TERMS, purchase_date=BOUGHT, on=date(2026, 6, 1), component="motor")
    assert verdict.reason_code == "under_warranty" and "component" not in verdict.facts


def test_the_return_and_exchange_periods_come_before_any_component_term():
    verdict = decide_entitlement(TERMS, purchase_date=BOUGHT, on=date(2026, 3, 5), component="compressor")
    assert verdict.kind == EntitlementKind.REFUND


# --- the repeat-repair rule ---

def test_after_the_limit_of_repairs_of_the_same_fault_the_customer_may_choose_exchange_or_refund():
    history = _repairs("冰箱不制冷", date(2026, 5, 1), date(2026, 7, 1))
    verdict = decide_entitlement(TERMS, purchase_date=BOUGHT, on=date(2026, 9, 1), fault_text="Not cooling again",
                                 history=history)
    assert verdict.kind == EntitlementKind.EXCHANGE and verdict.reason_code == "repeat_repair"
    assert verdict.choices == (EntitlementKind.EXCHANGE, EntitlementKind.REFUND)
    assert verdict.facts == {"months": 12, "until": "2027-03-01", "repairs": 2, "limit": 2,
                             "choices": ["exchange", "refund"]}
    assert "you may choose an exchange or a refund" in verdict.reason


def test_one_repair_fewer_than_the_limit_is_still_a_free_repair():
    history = _repairs("not cooling", date(2026, 5, 1))
    verdict = decide_entitlement(TERMS, purchase_date=BOUGHT, on=date(2026, 9, 1), fault_text="not cooling",
                                 history=history)
    assert verdict.kind == EntitlementKind.FREE_REPAIR and verdict.reason_code == "under_warranty"


def test_repairs_of_other_faults_do_not_count():
    history = _repairs("leaking water", date(2026, 5, 1), date(2026, 7, 1))
    verdict = decide_entitlement(TERMS, purchase_date=BOUGHT, on=date(2026, 9, 1), fault_text="not cooling",
                                 history=history)
    assert verdict.reason_code == "under_warranty"


def test_repairs_outside_the_repair_term_do_not_count_and_nothing_is_owed_after_it():
    history = _repairs("not cooling", date(2025, 12, 1), date(2026, 5, 1))  # the first before the purchase
    verdict = decide_entitlement(TERMS, purchase_date=BOUGHT, on=date(2026, 9, 1), fault_text="not cooling",
                                 history=history)
    assert verdict.reason_code == "under_warranty"
    after = decide_entitlement(TERMS, purchase_date=BOUGHT, on=date(2027, 3, 2), fault_text="not cooling",
                               history=_repairs("not cooling", date(2026, 5, 1), date(2026, 7, 1)))
    assert after.kind == EntitlementKind.PAID_REPAIR


def test_the_repeat_rule_uses_the_components_term():
    history = _repairs("compressor failed", date(2027, 6, 1), date(2027, 9, 1))  # after the appliance's 12 months
    verdict = decide_entitlement(TERMS, purchase_date=BOUGHT, on=date(2028, 1, 10), component="compressor",
                                 fault_text="压缩机又坏了", history=history)
    assert verdict.reason_code == "repeat_repair" and verdict.facts["months"] == 36
    assert verdict.facts["component"] == "compressor"


def test_the_limit_is_the_policys():
    strict = WarrantyTerms(7, 15, 12, repeat_repair_limit=1)
    history = _repairs("not cooling", date(2026, 5, 1))
    assert decide_entitlement(strict, purchase_date=BOUGHT, on=date(2026, 9, 1), fault_text="not cooling",
                              history=history).reason_code == "repeat_repair"
    off = WarrantyTerms(7, 15, 12, repeat_repair_limit=0)
    assert decide_entitlement(off, purchase_date=BOUGHT, on=date(2026, 9, 1), fault_text="not cooling",
                              history=history * 5).reason_code == "under_warranty"


def test_a_usage_question_never_turns_into_an_exchange():
    history = _repairs("not cooling", date(2026, 5, 1), date(2026, 7, 1))
    verdict = decide_entitlement(TERMS, purchase_date=BOUGHT, on=date(2026, 9, 1), category=JobCategory.USAGE_QUESTION,
                                 fault_text="not cooling, how to set it?", history=history)
    assert verdict.kind == EntitlementKind.FREE_REPAIR


def test_a_history_is_not_read_when_the_verdict_does_not_depend_on_it():
    class Untouchable:
        def __iter__(self):
            raise AssertionError("the history was read")

    for on in (date(2026, 3, 2), date(2027, 6, 1)):  # inside the return period; out of warranty
        decide_entitlement(TERMS, purchase_date=BOUGHT, on=on, fault_text="not cooling", history=Untouchable())
    decide_entitlement(TERMS, purchase_date=BOUGHT, on=date(2026, 9, 1), fault_text="it is broken",
                       history=Untouchable())


# --- the reasons in words ---

def test_every_reason_code_reads_in_english_and_chinese_with_its_facts():
    facts = {"days": 3, "limit": 7, "months": 36, "until": "2029-03-01", "component": "compressor", "repairs": 2,
             "purchased": "2026-03-01", "verdict": {"code": "under_warranty", "months": 36, "until": "2029-03-01"}}
    for code in REASON_TEXTS:
        with use_locale("en"):
            english = explain(code, facts)
        with use_locale("zh"):
            chinese = explain(code, facts)
        assert english != chinese and "%(" not in english + chinese, code
        for name in placeholders(code):
            shown = {"component": "压缩机", "verdict": "36个月保修期内"}.get(name, str(facts[name]))
            assert shown in chinese, (code, name)
        assert not any("a" <= ch <= "z" for ch in chinese.replace("compressor", "")), chinese


def test_a_missing_fact_or_an_unknown_code_never_fails_a_page():
    assert explain("under_warranty", {}) == "Under the ?-month warranty until ?: parts and labour are free."
    with use_locale("zh"):
        assert explain("someday_reason", {"x": 1}) == "权益由客服人员判定，详情请查看服务单记录。"


def test_the_verdict_speaks_the_current_language_and_the_job_stores_english():
    verdict = decide_entitlement(TERMS, purchase_date=BOUGHT, on=date(2026, 3, 5))
    with use_locale("zh_CN"):
        assert verdict.reason == "购买后第4天报修，在7天退货期内：可全额退款。"
        assert verdict.reason_en.startswith("Reported 4 day(s) after purchase")


# --- the rules on a real report ---

def _report(session, asset, text, now=NOW):
    job = report_fault(session, asset=asset, actor=CUSTOMER, now=now, tz=TZ,
                       report=FaultReport(Channel.QR, text, "Li Lei", "13800000000")).job
    session.flush()
    return job


def _finish(job, at):
    job.status, job.resolved_at = JobStatus.COMPLETED, at


def test_the_third_report_of_the_same_fault_offers_an_exchange_or_a_refund(session):
    asset = make_asset(session, purchase_date=date(2026, 6, 1))
    first = _report(session, asset, "The fridge is not cooling", now=NOW - timedelta(days=60))
    _finish(first, NOW - timedelta(days=59))
    second = _report(session, asset, "冰箱又不制冷了", now=NOW - timedelta(days=30))
    _finish(second, NOW - timedelta(days=29))
    assert second.entitlement == EntitlementKind.FREE_REPAIR  # one earlier repair: below the limit
    other = _report(session, asset, "The door is leaking water", now=NOW - timedelta(days=10))
    _finish(other, NOW - timedelta(days=9))

    third = _report(session, asset, "Still not cooling after two repairs")
    assert third.entitlement == EntitlementKind.EXCHANGE
    assert third.entitlement_facts["code"] == "repeat_repair" and third.entitlement_facts["repairs"] == 2
    assert third.entitlement_reason.startswith("This fault has already been repaired 2 time(s)")


def test_a_report_naming_a_component_gets_the_components_term(session):
    model = make_model(session)
    model.warranty_policy.component_terms = [ComponentTerm(component="compressor", free_repair_months=36)]
    asset = make_asset(session, model=model, purchase_date=date(2025, 1, 10))  # 22 months before NOW
    job = _report(session, asset, "压缩机不工作，冰箱不制冷")
    assert job.entitlement == EntitlementKind.FREE_REPAIR
    assert job.entitlement_facts == {"code": "component_under_warranty", "months": 36, "until": "2028-01-10",
                                     "component": "compressor"}
    other = make_asset(session, model=model, purchase_date=date(2025, 1, 10))
    assert _report(session, other, "The door seal is torn").entitlement == EntitlementKind.PAID_REPAIR


def test_the_history_is_read_by_qr_only_for_an_appliance_with_finished_repairs(session, engine):
    from sqlalchemy import event

    from dispatch.intake.services import report_fault_by_qr

    sent: list[str] = []
    listener = lambda _c, _cur, statement, *_rest: sent.append(statement)  # noqa: E731
    fresh = make_asset(session, purchase_date=date(2026, 6, 1))
    repaired = make_asset(session, purchase_date=date(2026, 6, 1))
    _finish(_report(session, repaired, "Not cooling", now=NOW - timedelta(days=30)), NOW - timedelta(days=29))
    session.flush()
    session.expunge_all()  # as in a request: the appliance is loaded by its QR token
    event.listen(engine, "before_cursor_execute", listener)
    try:
        for asset_token in (fresh.qr_token, repaired.qr_token):
            report_fault_by_qr(session, qr_token=asset_token, actor=CUSTOMER, now=NOW, tz=TZ,
                               report=FaultReport(Channel.QR, "The fridge is not cooling", "Li Lei", "13800000000"))
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    history_reads = [s for s in sent if s.lstrip().startswith("SELECT jobs.id, jobs.fault_text")]
    assert len(history_reads) == 1
