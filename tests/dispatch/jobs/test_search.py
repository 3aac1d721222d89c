"""The agent's one search box: a caller found by the phone however it is typed or stored, by job
number, by any part of a name (Chinese too) or by serial; open jobs first; hostile input refused."""
from __future__ import annotations

from datetime import timedelta

import pytest

from dispatch.intake.services import FaultReport, report_fault
from dispatch.jobs.audit import CUSTOMER
from dispatch.jobs.models import Channel
from dispatch.jobs.search import (
    SearchRefused,
    asset_search_select,
    job_search_select,
    national_digits,
    parse_query,
)
from dispatch.jobs.services import transition_job
from dispatch.jobs.status import JobStatus
from tests.builders.care import TZ
from tests.builders.dispatch import make_asset
from tests.conftest import NOW


def _job(session, *, phone: str, name: str, contact_phone: str | None = None, at=NOW, serial: str | None = None):
    asset = make_asset(session, phone=phone)
    asset.customer.name = name
    if serial:
        asset.serial = serial
    session.flush()
    return report_fault(session, asset=asset, actor=CUSTOMER, now=at, tz=TZ,
                        report=FaultReport(channel=Channel.QR, fault_text="Not cooling since yesterday",
                                           contact_name=name, contact_phone=contact_phone or phone)).job


def _found(session, text: str) -> list[str]:
    return [job.number for job in session.scalars(job_search_select(parse_query(text)))]


STORED = ["+86 13110015293", "13110015293", "131-1001-5293", "+86 (131) 1001 5293", "0086 131 1001 5293"]
TYPED = ["13110015293", "+8613110015293", "+86 131 1001 5293", "131-1001-5293", "5293", "8613110015293"]


def test_a_phone_is_found_however_it_is_typed_and_stored(session):
    # One caller's number written five ways (five appliances), and another caller's.
    wanted = {_job(session, phone=stored, name="Li Na").number for stored in STORED}
    _job(session, phone="+86 139 5555 0000", name="Wang Fang")
    session.commit()
    for typed in TYPED:
        assert set(_found(session, typed)) == wanted, typed


def test_the_contact_phone_given_with_a_report_finds_the_job_too(session):
    job = _job(session, phone="+86 139 0000 1111", name="Li Na", contact_phone="021-6543-2188")
    session.commit()
    assert _found(session, "2188") == [job.number]
    assert _found(session, "02165432188") == [job.number]


def test_a_landline_typed_with_its_trunk_zero_finds_the_number_stored_after_the_country_code(session):
    job = _job(session, phone="+86 21 6543 2188", name="Li Na")
    session.commit()
    assert _found(session, "021-6543-2188") == [job.number]


def test_the_last_four_digits_find_every_caller_ending_so_and_nobody_else(session):
    one = _job(session, phone="+86 131 1001 5293", name="A")
    two = _job(session, phone="138 0000 5293", name="B", at=NOW + timedelta(minutes=5))
    _job(session, phone="138 0000 5294", name="C")
    _job(session, phone="138 5293 0000", name="D")  # the digits inside, not at the end
    session.commit()
    assert _found(session, "5293") == [two.number, one.number]


def test_a_job_number_is_found_whole_partly_and_in_any_case(session):
    job = _job(session, phone="+86 131 0000 0001", name="A")
    _job(session, phone="+86 131 0000 0002", name="B")
    session.commit()
    assert _found(session, job.number) == [job.number]
    assert _found(session, job.number.lower()) == [job.number]
    assert _found(session, job.number[-5:]) == [job.number]


def test_a_name_is_found_by_any_part_in_any_case_and_in_chinese(session):
    zhang = _job(session, phone="+86 131 0000 0001", name="Zhang Wei")
    chinese = _job(session, phone="+86 131 0000 0002", name="王小明")
    session.commit()
    assert _found(session, "zhang") == [zhang.number]
    assert _found(session, "WEI") == [zhang.number]
    assert _found(session, "小明") == [chinese.number]
    assert _found(session, "王") == [chinese.number]  # one Chinese character is a surname


def test_a_serial_is_found_whole_or_partly(session):
    job = _job(session, phone="+86 131 0000 0001", name="A", serial="FR-2026-ZX81")
    _job(session, phone="+86 131 0000 0002", name="B", serial="WM-2025-QQ12")
    session.commit()
    assert _found(session, "FR-2026-ZX81") == [job.number]
    assert _found(session, "zx81") == [job.number]
    assert [asset.serial for asset in session.scalars(asset_search_select(parse_query("zx81")))] == ["FR-2026-ZX81"]


def test_open_jobs_come_before_finished_ones_however_new(session):
    old_open = _job(session, phone="+86 131 0000 5293", name="A")
    newer_closed = _job(session, phone="+86 132 0000 5293", name="B", at=NOW + timedelta(hours=1))
    transition_job(session, job=newer_closed, to=JobStatus.CANCELLED, actor=CUSTOMER, now=NOW + timedelta(hours=2))
    newest_open = _job(session, phone="+86 133 0000 5293", name="C", at=NOW + timedelta(hours=3))
    session.commit()
    assert _found(session, "5293") == [newest_open.number, old_open.number, newer_closed.number]


def test_like_wildcards_in_a_query_are_taken_literally(session):
    _job(session, phone="+86 131 0000 0001", name="Zhang Wei")
    session.commit()
    assert _found(session, "%%") == []
    assert _found(session, "__") == []


def test_an_appliance_without_a_job_is_found_for_a_new_report(session):
    asset = make_asset(session, phone="+86 137 7777 4321")
    asset.customer.name = "陈静"
    session.commit()
    for typed in ("4321", "陈静", "+86 137-7777-4321"):
        assert [a.id for a in session.scalars(asset_search_select(parse_query(typed)))] == [asset.id], typed
    assert list(session.scalars(asset_search_select(parse_query("AC-12345678")))) == []


@pytest.mark.parametrize("raw", ["", "   ", "123", "+86", "x", "a\x00b", "a\x1bb", "\x85zz", "z" * 65])
def test_unusable_queries_are_refused_with_a_message(raw):
    with pytest.raises(SearchRefused) as refused:
        parse_query(raw)
    assert str(refused.value)


def test_spaces_are_collapsed_and_a_query_at_the_limit_is_accepted():
    assert parse_query("  Zhang   Wei ").text == "Zhang Wei"
    assert parse_query("z" * 64).text == "z" * 64


@pytest.mark.parametrize("typed, digits", [("+86 131 1001 5293", "13110015293"), ("008613110015293", "13110015293"),
                                           ("86 5293", "865293"), ("021-6543-2188", "02165432188")])
def test_the_country_code_is_dropped_only_before_a_full_mobile_number(typed, digits):
    assert national_digits(typed) == digits
