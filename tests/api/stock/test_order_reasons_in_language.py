"""A Chinese stock page says why a transfer or purchase order was made in Chinese, from the reason code
stored beside the English text; an order stored before codes (or a person's note) shows its text."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from core import i18n
from core.users import Role
from inventory import orders, restock, sourcing
from inventory.models import RestockRule, Transfer, WarehouseKind
from tests.api.test_pages import sign_in
from tests.builders.core import make_user
from tests.builders.fieldwork import build_field_world
from tests.builders.inventory import make_supplier
from tests.conftest import NOW

ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.set_locale("en")  # a Chinese request leaves the domain texts in Chinese for the next test


@pytest.fixture
def city(session):
    city = build_field_world(session)
    make_user(session, username="stock.chen", role=Role.WAREHOUSE)
    return city


def _page(client, session, path):
    session.commit()
    sign_in(client, "stock.chen")
    return client.get(f"{path}?lang=zh", headers=ZH).get_data(as_text=True)


def test_an_emergency_transfer_says_in_chinese_why_it_was_chosen(client, session, city):
    decision = sourcing.choose(sourcing.sourcing_options(session, part=city.spare, quantity=1,
                                                         destination=city.tech.van, now=NOW),
                               needed_by=NOW + timedelta(days=3))
    transfer = sourcing.place_order(session, decision=decision, part=city.spare, quantity=1,
                                    destination=city.tech.van, actor="test", now=NOW, job_id=city.jobs[0].id)
    assert transfer.reason.startswith("transfer from WH-GUSU: arrives") and transfer.reason_code == "in_time"
    for path in ("/warehouse/transfers", "/warehouse/emergencies"):
        html = _page(client, session, path)
        assert "从 WH-GUSU 调拨：UTC" in html and "赶得上维修期限" in html, path
        assert "in time for the repair deadline" not in html, path


def test_an_emergency_purchase_above_the_limit_says_its_wait_and_approval_in_chinese(client, session, city):
    supplier = make_supplier(session, parts=[city.part])
    decision = sourcing.choose(sourcing.sourcing_options(session, part=city.part, quantity=1,
                                                         destination=city.depot, now=NOW),
                               needed_by=NOW + timedelta(days=3))
    order = sourcing.place_order(session, decision=decision, part=city.part, quantity=1, destination=city.depot,
                                 actor="test", now=NOW, job_id=city.jobs[0].id, approval_limit=Decimal("50.00"))
    orders.approve_purchase_order(session, order=order, actor="mgr.li", now=NOW + timedelta(hours=1))
    assert order.reason.endswith(f"approved by mgr.li at {NOW + timedelta(hours=1):%Y-%m-%d %H:%M} UTC")
    html = _page(client, session, "/warehouse/emergencies")
    assert f"向 {supplier.code} 加急采购：UTC" in html
    assert "等待经理审批：总额 180.00 超过审批限额 50.00" in html
    assert f"mgr.li 于 UTC {NOW + timedelta(hours=1):%Y-%m-%d %H:%M} 批准" in html
    assert "approved by" not in html and "manager's approval" not in html


def test_a_restock_transfer_says_in_chinese_why_it_was_made(client, session, city):
    city.depot.kind = WarehouseKind.CENTRAL
    session.add(RestockRule(warehouse_id=city.tech.van.id, part_id=city.spare.id, min_quantity=1, max_quantity=1))
    session.flush()
    restock.run_restock(session, now=NOW)
    transfer = session.query(Transfer).filter_by(to_warehouse_id=city.tech.van.id).one()
    assert transfer.reason.startswith("restock: ") and transfer.reason_code == "restock_transfer"
    html = _page(client, session, "/warehouse/transfers")
    assert f"补货：{city.tech.van.code} 的 P-COMPRESSOR：可用量 0 低于最低值 1；从 WH-GUSU 调拨 1 件" in html
    assert "restock:" not in html


def test_a_transfer_with_a_persons_note_or_from_before_codes_shows_its_text(client, session, city):
    typed = orders.request_transfer(session, part=city.spare, quantity=1, source=city.depot,
                                    destination=city.tech.van, actor="test", now=NOW, reason="司机顺路带")
    old = orders.request_transfer(session, part=city.part, quantity=1, source=city.depot,
                                  destination=city.tech.van, actor="test", now=NOW, reason="an old English reason")
    old.reason_code = old.reason_facts = None
    assert typed.reason_code is None
    html = _page(client, session, "/warehouse/transfers")
    assert "司机顺路带" in html and "an old English reason" in html
