"""The stock ledger page: every movement with why it happened, in the reader's language; a person's
note as written; an unknown filter is a readable refusal."""
from __future__ import annotations

import pytest

from core import i18n
from core.users import Role
from dispatch.jobs.audit import Actor
from dispatch.parts import desk
from inventory import orders
from tests.api.test_pages import sign_in
from tests.builders.core import make_user
from tests.builders.fieldwork import build_field_world
from tests.conftest import NOW


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.set_locale("en")


@pytest.fixture
def city(session):
    city = build_field_world(session)
    clerk = make_user(session, username="stock.chen", role=Role.WAREHOUSE)
    transfer = orders.request_transfer(session, part=city.part, quantity=2, source=city.depot,
                                       destination=city.tech.van, actor="stock.chen", now=NOW)
    orders.ship_transfer(session, transfer=transfer, actor="stock.chen", now=NOW)
    desk.adjust_stock(session, warehouse_code="WH-GUSU", sku="P-GASKET", change=-1, reason="盘点少了一个",
                      actor=Actor.staff(clerk), now=NOW)
    session.commit()
    return city


def _page(client, query: str = "", lang: str = "zh"):
    sign_in(client, "stock.chen")
    response = client.get(f"/warehouse/ledger?lang={lang}&{query}")
    return response.status_code, response.get_data(as_text=True)


def test_the_ledger_says_why_stock_moved_in_chinese(client, city):
    status, html = _page(client, "warehouse=WH-GUSU")
    assert status == 200
    assert "随调拨单 TR-" in html and "为调拨单 TR-" in html and "调出" in html and "释放预留" in html
    assert "shipped on" not in html and "held for transfer" not in html
    assert "盘点少了一个" in html  # a person's note, as written


def test_the_ledger_in_english_and_filtered_by_part(client, city):
    status, html = _page(client, "warehouse=WH-GUSU&sku=P-COMPRESSOR", lang="en")
    table = html.split('data-testid="stock-ledger"', 1)[1]
    assert status == 200 and "P-GASKET" not in table and "P-COMPRESSOR" in table
    status, html = _page(client, "sku=P-GASKET", lang="en")
    assert "shipped on TR-" in html and "Shipped out" in html


@pytest.mark.parametrize("query, words", [("warehouse=NOPE", "No warehouse NOPE."),
                                          ("sku=P-NOPE", "No part with SKU P-NOPE.")])
def test_an_unknown_filter_is_a_readable_refusal(client, city, query, words):
    status, html = _page(client, query, lang="en")
    assert status == 422 and words in html


def test_a_page_beyond_the_end_shows_nothing_and_a_huge_page_number_is_refused(client, city):
    assert "Nothing to show." in _page(client, "page=999", lang="en")[1]
    assert _page(client, f"page={2**70}", lang="en")[0] == 422


def test_the_ledger_is_a_warehouse_page(client, city):
    sign_in(client, "dispatch.zhou")
    assert client.get("/warehouse/ledger").status_code == 403


def test_a_movement_for_a_job_names_the_job(client, city, session):
    from dispatch.jobs.audit import SYSTEM
    from dispatch.parts.services import request_part

    job = city.jobs[0]
    request_part(session, job=job, part=city.spare, quantity=1, actor=SYSTEM, now=NOW)
    session.commit()
    status, html = _page(client, lang="en")
    assert status == 200 and job.number in html
