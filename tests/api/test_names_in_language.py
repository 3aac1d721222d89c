"""Names and stored words reach a Chinese page in Chinese: a product model's and a part's Chinese name,
a warehouse's kind, a technician's skills, an SLA alert's detail; English pages keep the English."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from care.models import SlaAlert
from care.sla_watch import sla_sweep
from core import i18n
from core.users import Role
from tests.api.test_pages import sign_in
from tests.builders.core import make_user
from tests.builders.fieldwork import build_field_world

ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.set_locale("en")


@pytest.fixture
def city(session):
    city = build_field_world(session)
    model = city.jobs[0].asset.product_model
    model.name, model.name_zh = "FrostLine 420 L fridge-freezer", "冰川 420 升对开门冰箱"
    city.part.name, city.part.name_zh = "Door gasket", "门封条"
    make_user(session, username="stock.chen", role=Role.WAREHOUSE)
    make_user(session, username="manager.xu", role=Role.MANAGER)
    session.commit()
    return city


def _get(client, username, path, lang):
    sign_in(client, username)
    return client.get(f"{path}?lang={lang}", headers=ZH if lang == "zh" else {}).get_data(as_text=True)


def test_the_job_and_tracking_pages_name_the_model_in_the_readers_language(client, session, city):
    job = city.jobs[0]
    html = _get(client, "manager.xu", f"/agent/jobs/{job.number}", "zh")
    assert "冰川 420 升对开门冰箱" in html and "FrostLine 420 L" not in html
    html = _get(client, "manager.xu", f"/agent/jobs/{job.number}", "en")
    assert "FrostLine 420 L fridge-freezer" in html and "冰川" not in html
    assert "冰川 420 升对开门冰箱" in client.get(f"/t/{job.tracking_token}?lang=zh").get_data(as_text=True)
    assert "FrostLine 420 L" in client.get(f"/t/{job.tracking_token}?lang=en").get_data(as_text=True)


def test_a_model_without_a_chinese_name_shows_its_english_name_on_a_chinese_page(client, session, city):
    job = city.jobs[0]
    job.asset.product_model.name_zh = ""
    session.commit()
    assert "FrostLine 420 L fridge-freezer" in _get(client, "manager.xu", f"/agent/jobs/{job.number}", "zh")


def test_the_stock_page_names_parts_and_warehouse_kinds_in_chinese(client, session, city):
    html = _get(client, "stock.chen", "/warehouse", "zh")
    assert "门封条" in html and "Door gasket" not in html
    assert "服务车" in html and "区域仓" in html
    assert ">van<" not in html and ">regional<" not in html


def test_the_technicians_page_names_skills_in_chinese(client, session, city):
    html = _get(client, "manager.xu", "/admin/technicians", "zh")
    assert "制冷" in html and "refrigeration (" not in html


def test_an_sla_alert_detail_reads_in_chinese_on_the_care_page(client, session, city):
    job = city.jobs[0]
    sla_sweep(session, now=job.repair_by + timedelta(minutes=1))
    session.commit()
    alert = session.scalars(select(SlaAlert).where(SlaAlert.job_id == job.id)).first()
    assert alert.detail == "the technician has not arrived in time" and alert.detail_facts["code"]
    html = _get(client, "manager.xu", f"/agent/jobs/{job.number}/care", "zh")
    assert "the technician has not arrived in time" not in html and "not resolved" not in html
    assert "技师" in html


def test_automatic_actors_in_a_jobs_history_read_in_the_readers_language(client, session, city):
    job = city.jobs[0]
    assert "system" in {event.actor_label for event in job.events}
    history = _get(client, "manager.xu", f"/agent/jobs/{job.number}", "zh").split('data-testid="events"')[-1]
    assert "<td>系统</td>" in history and "<td>system</td>" not in history
    assert "<td>the system</td>" in _get(client, "manager.xu", f"/agent/jobs/{job.number}", "en")
