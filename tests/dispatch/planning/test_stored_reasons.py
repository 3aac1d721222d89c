"""Live dispatch stores why a job waits as a reason code with its facts beside the English text, and
the words come back in either language from the code (dispatch.jobs.reasons)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.geo import GreatCircleProvider
from core.i18n import use_locale
from dispatch.intake.services import FaultReport, report_fault
from dispatch.jobs.audit import CUSTOMER
from dispatch.jobs.models import Channel, Escalation
from dispatch.jobs.reasons import REASON_TEXTS, english, explain
from dispatch.planning.assignment import dispatch_job
from tests.builders.core import make_region
from tests.builders.dispatch import make_asset, make_technician
from tests.conftest import NOW

TZ = ZoneInfo("Asia/Shanghai")


def _report(session, region):
    job = report_fault(session, asset=make_asset(session, region=region), actor=CUSTOMER, now=NOW, tz=TZ,
                       report=FaultReport(Channel.QR, "The fridge is not cooling at all", "Li Lei", "13800000000")).job
    session.flush()
    return job


def _dispatch(session, job):
    outcome = dispatch_job(session, job=job, now=NOW, tz=TZ, provider=GreatCircleProvider())
    session.flush()
    return outcome


def test_nobody_with_the_skill_is_stored_as_a_code_with_the_skill_on_the_job_the_escalation_and_the_event(
        session):
    region = make_region(session)
    make_technician(session, region=region, skills={"laundry": 2})
    job = _report(session, region)
    _dispatch(session, job)
    assert (job.dispatch_note_code, job.dispatch_note_facts) == ("no_skill_in_region", {"skill": "refrigeration"})
    assert job.dispatch_note == english(job.dispatch_note_code, job.dispatch_note_facts)
    escalation = session.scalars(select(Escalation).where(Escalation.job_id == job.id)).one()
    assert (escalation.reason_code, escalation.reason_facts) == (job.dispatch_note_code, job.dispatch_note_facts)
    event = job.events[-1]
    assert (event.note_code, event.note_facts, event.note) == (job.dispatch_note_code, job.dispatch_note_facts,
                                                               job.dispatch_note)
    with use_locale("zh_CN"):
        assert explain(job.dispatch_note_code, job.dispatch_note_facts, job.dispatch_note) == \
            "本区域没有持有效认证、具备“refrigeration”技能的技师"


def test_no_place_before_the_deadline_keeps_each_days_cause_and_reads_the_same_in_english(session):
    region = make_region(session)
    make_technician(session, region=region, weekdays=[5])  # Saturdays only; the promise ends Thursday
    job = _report(session, region)
    assert not _dispatch(session, job).planned
    assert job.dispatch_note_code == "no_place_before_deadline"
    days = job.dispatch_note_facts["days"]
    assert days and {d["code"] for d in days} == {"day_nobody_working"} and days[0]["day"] == "2026-11-23"
    assert job.dispatch_note.startswith("no qualified technician can reach it before the repair deadline (2026-11-23: "
                                        "nobody qualified is working; ")
    with use_locale("zh_CN"):
        words = explain(job.dispatch_note_code, job.dispatch_note_facts, job.dispatch_note)
    assert words.startswith("在维修期限前没有合格技师能够上门（2026-11-23：没有合格技师当班；")


def test_planning_the_job_clears_the_stored_reason(session):
    region = make_region(session)
    job = _report(session, region)
    _dispatch(session, job)
    assert job.dispatch_note_code == "no_skill_in_region"
    make_technician(session, region=region)
    session.flush()
    assert _dispatch(session, job).planned
    assert (job.dispatch_note, job.dispatch_note_code, job.dispatch_note_facts) == ("", None, None)


def test_a_row_without_a_code_or_with_an_unknown_code_shows_its_stored_text():
    with use_locale("zh_CN"):
        assert explain(None, None, "old English text") == "old English text"
        assert explain("written_by_a_later_version", {"x": 1}, "later text") == "later text"
        assert explain("day_late", {}, "") == "?：最早的可排位置也会超过维修期限"


def test_every_stored_reason_has_a_chinese_text():
    with use_locale("zh_CN"):
        untranslated = [code for code in REASON_TEXTS if explain(code, {}) == english(code, {})]
    assert not untranslated


def test_the_systems_event_notes_of_a_live_insertion_are_stored_as_codes(session):
    region = make_region(session)
    technician = make_technician(session, region=region)
    job = _report(session, region)
    assert _dispatch(session, job).planned
    notes = {e.note: (e.note_code, e.note_facts) for e in job.events if e.note_code}
    assert notes["classified and accepted"] == ("classified_and_accepted", {})
    assert notes[f"assigned to {technician.user.display_name}"] == (
        "assigned_to", {"technician": technician.user.display_name})
    assert notes["live insertion"] == ("live_insertion", {})
    with use_locale("zh_CN"):
        assert explain("live_insertion", {}, "live insertion") == "实时插单"
