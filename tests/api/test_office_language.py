"""The back office's words come from the catalogue: codes shown by their labels, domain refusals and
the planning refusals in the current language, times in the region's zone, the QR label in both."""
from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from api.board.refusals import planning_refusal
from api.labels import human
from api.local_time import local_clock, local_datetime, zone_of
from care.models import TaskKind
from core.i18n import use_locale
from dispatch.catalog.labels import CJK_FONTS, label_words
from dispatch.jobs.models import Priority
from dispatch.jobs.status import InvalidTransition, JobStatus
from dispatch.planning.errors import PlanNotReady
from inventory.ledger import StockError, check_quantity

UTC_ZONE = ZoneInfo("UTC")


def test_a_stored_code_is_shown_by_its_label_in_the_current_language():
    assert human(JobStatus.EN_ROUTE) == "En route"
    assert human(Priority.LOW) == "Low priority"
    with use_locale("zh_CN"):
        assert human(JobStatus.EN_ROUTE) == "在途"
        assert human(TaskKind.PHONE_CALLBACK) == "电话回访"
        assert human("no_technician", "sla.cause") == "无技师"
    assert human("something_new") == "Something new"  # no label yet: tidied, never an error
    assert human(None) == "—"


def test_a_refused_status_change_names_the_statuses_in_chinese():
    with use_locale("zh_CN"):
        message = str(InvalidTransition(JobStatus.REPORTED, JobStatus.COMPLETED))
    assert message == "状态为“已上报”的工单不能改为“已完工”（允许：已取消, 远程解决, 已审核）。"
    assert "allowed: cancelled, remote_resolved, triaged" in str(InvalidTransition(JobStatus.REPORTED,
                                                                                   JobStatus.COMPLETED))


def test_a_stock_refusal_is_in_the_language_of_the_request():
    with use_locale("zh_CN"), pytest.raises(StockError, match="数量最多为"):
        check_quantity(10**9)
    with pytest.raises(StockError, match="Quantity must be at most"):
        check_quantity(10**9)


def test_planning_refusals_are_said_in_chinese_and_unknown_shapes_pass_through():
    with use_locale("zh_CN"):
        said = planning_refusal(PlanNotReady("Plan 7 is applied; only a finished plan can be applied."))
        assert said == "方案 7 当前为“已应用”，只有已完成的方案才能应用。"
        assert planning_refusal(PlanNotReady("Something else")) == "Something else"
    assert planning_refusal(PlanNotReady("Plan 7 is applied; only a finished plan can be applied.")) == \
        "Plan 7 is applied; only a finished plan can be applied."


def test_times_are_shown_in_the_region_zone_not_utc():
    moment = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    urumqi = SimpleNamespace(time_zone="Asia/Urumqi")
    job = SimpleNamespace(asset=SimpleNamespace(region=urumqi))
    assert local_datetime(moment, urumqi, UTC_ZONE) == "2026-11-23 08:00"
    assert local_clock(moment, job, UTC_ZONE) == "08:00"
    assert local_clock("2026-11-23T02:00:00+00:00", urumqi, UTC_ZONE) == "08:00"  # a plan's stored stop
    assert zone_of(SimpleNamespace(time_zone="Not/AZone"), UTC_ZONE) is UTC_ZONE
    assert zone_of(None, UTC_ZONE) is UTC_ZONE
    assert local_datetime(None, urumqi, UTC_ZONE) == "—"


def test_the_qr_label_says_scan_to_report_in_both_languages():
    from dispatch.catalog import labels

    if not labels._has_cjk_font():
        pytest.skip(f"no CJK font among {CJK_FONTS}: the label is printed in English only")
    with use_locale("zh_CN"):  # whatever the language of the run, a label carries both
        assert label_words() == ["扫码报修", "Scan to report a fault"]
