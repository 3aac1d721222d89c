"""Reasons stored when something happens are shown in the reader's language: a Chinese board says why a
job waits and why it was escalated in Chinese; a row from before codes were stored shows its English text."""
from __future__ import annotations

from sqlalchemy import select

from core.geo import GreatCircleProvider
from core.regions import Region
from core.users import Role
from dispatch.jobs.audit import SYSTEM
from dispatch.jobs.models import Escalation, EventKind
from dispatch.planning.assignment import dispatch_job
from dispatch.planning.services import unplace_job
from tests.api.test_pages import sign_in
from tests.builders.core import make_user
from tests.builders.fieldwork import build_field_world
from tests.conftest import NOW

ZH = {"Accept-Language": "zh-CN"}


def _unassignable_job(session):
    city = build_field_world(session)
    job = city.jobs[0]
    job.asset.product_model.repair_skill = "laundry"  # nobody in the region has it
    unplace_job(session, job, actor=SYSTEM, now=NOW, note="test")
    assert not dispatch_job(session, job=job, now=NOW, provider=GreatCircleProvider()).planned
    session.commit()
    return job


def test_a_chinese_board_says_why_a_job_waits_and_why_it_was_escalated_in_chinese(client, session):
    _unassignable_job(session)
    sign_in(client, "dispatch.zhou")
    html = client.get("/dispatch?region=gusu&lang=zh", headers=ZH).get_data(as_text=True)
    waiting = html.split('data-testid="waiting"')[1].split("</table>")[0]
    escalations = html.split('data-testid="escalations"')[1].split("</ul>")[0]
    for part in (waiting, escalations):
        assert "本区域没有持有效认证" in part and "no technician in the region" not in part
    english = client.get("/dispatch?region=gusu&lang=en").get_data(as_text=True)
    assert "no technician in the region has the" in english and "本区域" not in english


def test_a_chinese_job_page_shows_the_systems_escalation_note_in_chinese(client, session):
    job = _unassignable_job(session)
    sign_in(client, "dispatch.zhou")
    html = client.get(f"/agent/jobs/{job.number}?lang=zh", headers=ZH).get_data(as_text=True)
    assert "本区域没有持有效认证" in html and "no technician in the region" not in html


def test_an_escalation_stored_before_codes_shows_its_english_text(client, session):
    job = _unassignable_job(session)
    escalation = session.scalars(select(Escalation).where(Escalation.job_id == job.id)).one()
    escalation.reason, escalation.reason_code, escalation.reason_facts = "an old English reason", None, None
    session.commit()
    sign_in(client, "dispatch.zhou")
    html = client.get("/dispatch?region=gusu&lang=zh", headers=ZH).get_data(as_text=True)
    assert "an old English reason" in html
    assert job.events[-1].kind == EventKind.ESCALATED


def test_the_chinese_parts_emergency_queue_says_why_a_part_is_late_in_chinese(client, session):
    city = build_field_world(session)
    session.add(Escalation(job=city.jobs[0], kind="parts_late", raised_at=NOW,
                           reason=f"{city.spare.sku}: no warehouse holds the part and no supplier sells it",
                           reason_code="part_late", reason_facts={"sku": city.spare.sku, "why": {"code": "no_source"}}))
    make_user(session, username="stock.chen", role=Role.WAREHOUSE)
    session.commit()
    sign_in(client, "stock.chen")
    html = client.get("/warehouse/emergencies?lang=zh", headers=ZH).get_data(as_text=True)
    queue = html.split('data-testid="parts-escalations"')[1].split("</table>")[0]
    assert f"{city.spare.sku}：没有仓库有此备件，也没有供应商供货" in queue and "no warehouse" not in queue


def test_the_chinese_plan_preview_says_why_a_job_is_left_out_in_chinese(client, session):
    from dispatch.planning.services import new_plan, run_plan

    job = _unassignable_job(session)
    region = session.scalars(select(Region).where(Region.code == "gusu")).one()
    plan = new_plan(session, region=region, day=NOW.date(), time_limit_s=1, apply_when_done=False,
                    requested_by="test", now=NOW)
    run_plan(session, plan=plan, now=NOW, provider=GreatCircleProvider())
    left_out = {u["job"]: u for u in plan.result["unassigned"]}
    assert left_out[job.number]["reason_code"] == "left_out_no_skill", left_out
    session.commit()
    sign_in(client, "dispatch.zhou")
    html = client.get(f"/dispatch/plans/{plan.id}?lang=zh", headers=ZH).get_data(as_text=True)
    listed = html.split('data-testid="plan-unassigned"')[1].split("</ul>")[0]
    assert "没有技师具备" in listed and "no technician has" not in listed


def test_a_plan_stored_before_codes_shows_its_english_reason(client, session):
    from dispatch.planning.services import new_plan, run_plan

    job = _unassignable_job(session)
    region = session.scalars(select(Region).where(Region.code == "gusu")).one()
    plan = new_plan(session, region=region, day=NOW.date(), time_limit_s=1, apply_when_done=False,
                    requested_by="test", now=NOW)
    run_plan(session, plan=plan, now=NOW, provider=GreatCircleProvider())
    plan.result = {**plan.result, "unassigned": [{"job": job.number, "reason": "an old English reason"}]}
    session.commit()
    sign_in(client, "dispatch.zhou")
    html = client.get(f"/dispatch/plans/{plan.id}?lang=zh", headers=ZH).get_data(as_text=True)
    assert "an old English reason" in html
