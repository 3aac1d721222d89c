"""The customer's tracking page and its JSON, without a browser: a live arrival time from a fresh position,
promises said plainly when missed (in both languages) and shown as kept when kept, the history oldest
first, the service line instead of any person's number, and the technician's portrait."""
from __future__ import annotations

import dataclasses
import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from core.admin_audit import AdminChange
from core.settings import Settings
from core.users import Role
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import Job
from dispatch.jobs.services import transition_job
from dispatch.jobs.status import JobStatus
from dispatch.technicians.models import Technician
from tests.api.test_pages import csrf_from, sign_in
from tests.builders.core import make_user
from tests.builders.fieldwork import build_field_world
from tests.conftest import NOW

HOTLINE = "400-820-1234"


@pytest.fixture
def settings(settings) -> Settings:
    return dataclasses.replace(settings, hotline=HOTLINE)


@pytest.fixture
def city(session):
    world = build_field_world(session)
    world.tech.user.display_name = "Wei Zhang"
    session.commit()
    return world


def _on_the_way(session, job: Job, *, at=(31.345, 120.635), seen=NOW) -> None:
    transition_job(session, job=job, to=JobStatus.EN_ROUTE, actor=Actor(label="tech"), now=NOW)
    job.technician.last_lat, job.technician.last_lon = at
    job.technician.last_seen_at = seen
    session.commit()


def _page(client, job: Job, lang: str = "en") -> str:
    response = client.get(f"/t/{job.tracking_token}?lang={lang}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _eta(html: str) -> str:
    return re.search(r'data-testid="eta"[^>]*>([^<]+)<', html).group(1)


def test_on_the_way_with_a_fresh_position_the_page_and_its_json_tell_a_live_rounded_time(client, city, session):
    job = city.jobs[0]
    _on_the_way(session, job)
    html = _page(client, job)
    eta = _eta(html)
    assert re.fullmatch(r"about \d\d:\d[05] \(between \d\d:\d[05] and \d\d:\d[05]\)", eta), eta
    assert "Wei is on the way and should arrive about" in html
    # No surname, nobody's phone number (a mobile number's digits, not any "138" a random token may hold).
    assert "Zhang" not in html and re.search(r"138[\s-]?\d{4}[\s-]?\d{4}", html) is None
    assert 'href="tel:4008201234"' in html
    assert '<meta http-equiv="refresh"' in html  # without the script the page still refreshes
    view = client.get(f"/api/v1/tracking/{job.tracking_token}").json
    assert view["eta"]["source"] == "live" and view["eta_text"] == eta
    assert view["technician_name"] == "Wei" and view["technician"] == {"first_name": "Wei", "initials": "WZ",
                                                                        "photo_url": None}
    assert view["hotline"] == HOTLINE and "Zhang" not in str(view)


def test_a_stale_position_falls_back_to_the_planned_time(client, city, session):
    job = city.jobs[0]
    _on_the_way(session, job, seen=NOW - timedelta(minutes=16))
    view = client.get(f"/api/v1/tracking/{job.tracking_token}").json
    assert view["eta"] is None or view["eta"]["source"] == "planned"


def test_the_position_moving_closer_brings_the_arrival_forward(client, city, session):
    job = city.jobs[0]
    _on_the_way(session, job)
    far = client.get(f"/api/v1/tracking/{job.tracking_token}").json
    technician = session.get(Technician, city.tech.id)
    technician.last_lat, technician.last_lon = 31.301, 120.601
    session.commit()
    near = client.get(f"/api/v1/tracking/{job.tracking_token}").json
    assert near["eta"]["around"] < far["eta"]["around"]
    assert near["fingerprint"] == far["fingerprint"]  # only the time changed: put in place, no reload


@pytest.mark.parametrize("lang, missed", [
    ("en", "We missed our promise to contact you by 2026-11-23 12:00. Your case has gone to a supervisor, "
           "and an agent is calling you as soon as possible."),
    ("zh", "我们没能在承诺的2026-11-23 12:00前联系您。您的服务请求已转交主管，客服会尽快给您打电话。"),
])
def test_a_missed_deadline_is_said_plainly_with_what_happens_next(client, city, session, clock, lang, missed):
    job = session.get(Job, city.jobs[0].id)
    job.respond_by = NOW + timedelta(hours=2)  # 12:00 in Suzhou
    session.commit()
    clock.set(job.respond_by + timedelta(minutes=20))
    html = _page(client, job, lang)
    assert missed in html
    assert 'data-kind="respond" data-state="missed"' in html
    assert re.search(r'data-kind="repair" data-state="pending"', html)


def test_a_kept_promise_is_shown_as_kept_and_the_history_reads_oldest_first(client, city, session, clock):
    job = session.get(Job, city.jobs[0].id)
    transition_job(session, job=job, to=JobStatus.EN_ROUTE, actor=Actor(label="tech"), now=NOW)
    job.responded_at = NOW + timedelta(minutes=30)
    session.commit()
    clock.set(NOW + timedelta(hours=5))
    html = _page(client, job)
    assert "Promise kept: we contacted you at 2026-11-23 10:30" in html
    assert 'data-kind="respond" data-state="met"' in html
    times = re.findall(r'<time datetime="([^"]+)"', html)
    assert len(times) >= 2 and times == sorted(times)
    assert "<ol class=\"timeline\"" in html and "|reverse" not in html


def test_a_region_can_have_its_own_service_line(client, city, session):
    city.region.hotline = "0512-6888 0000"
    session.commit()
    assert 'href="tel:051268880000"' in _page(client, city.jobs[0])


@pytest.mark.parametrize("path", ["/t/unknown-token-123", "/r/no-such-label-1"])
def test_a_customers_error_page_gives_the_number_to_call(client, city, path):
    response = client.get(path)
    assert response.status_code == 404
    assert 'href="tel:4008201234"' in response.get_data(as_text=True)


def test_staff_error_pages_do_not_show_the_customers_line(client, city):
    assert "tel:" not in client.get("/agent/no-such-page").get_data(as_text=True)


def _png(colour=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "PNG")
    return out.getvalue()


def test_a_manager_uploads_a_technician_photo_the_customer_sees_it_and_a_replaced_one_is_gone(client, city, session):
    make_user(session, username="manager.wu", role=Role.MANAGER)
    _on_the_way(session, session.get(Job, city.jobs[0].id))
    session.close()
    sign_in(client, "manager.wu")
    page = client.get(f"/admin/technicians/{city.tech.id}")
    bad = client.post(f"/admin/technicians/{city.tech.id}/photo", data={
        "csrf_token": csrf_from(page), "photo": (io.BytesIO(b"not an image"), "me.png")},
        content_type="multipart/form-data")
    assert bad.status_code == 422 and "not a JPEG, PNG or WebP" in bad.get_data(as_text=True)
    session.expire_all()
    assert session.get(Technician, city.tech.id).photo_name is None
    session.rollback()

    for colour in ((30, 120, 200), (200, 30, 30)):
        saved = client.post(f"/admin/technicians/{city.tech.id}/photo", data={
            "csrf_token": csrf_from(page), "photo": (io.BytesIO(_png(colour)), "me.png")},
            content_type="multipart/form-data")
        assert saved.status_code == 303
        session.expire_all()
        name = session.get(Technician, city.tech.id).photo_name
        session.rollback()
        if colour == (30, 120, 200):
            first = name
    assert name != first and len(name) > 30
    client.post("/logout", data={"csrf_token": csrf_from(client.get(f"/admin/technicians/{city.tech.id}"))})

    html = _page(client, city.jobs[0])
    assert f'src="/technician-photos/{name}"' in html
    photo = client.get(f"/technician-photos/{name}")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(photo.data)).size == (480, 360)
    assert client.get(f"/technician-photos/{first}").status_code == 404  # replaced: never served again
    assert client.get("/technician-photos/..%2Faftercare.db").status_code == 404
    assert session.scalars(select(AdminChange).where(AdminChange.kind == "technician")).all()


def test_an_admin_gives_a_region_its_own_line_and_a_wrong_number_is_refused(client, city, session, token_for):
    make_user(session, username="admin.qian", role=Role.ADMIN)
    session.commit()
    admin = token_for("admin.qian")
    bad = client.patch("/api/v1/admin/regions/gusu", json={"hotline": "call me maybe"}, headers=admin)
    assert bad.status_code == 422 and "hotline" in bad.json["errors"]["json"]
    assert 'href="tel:4008201234"' in _page(client, city.jobs[0])
    good = client.patch("/api/v1/admin/regions/gusu", json={"hotline": "0512-6888 0000"}, headers=admin)
    assert good.status_code == 200 and good.json["hotline"] == "0512-6888 0000"
    assert 'href="tel:051268880000"' in _page(client, city.jobs[0])
    cleared = client.patch("/api/v1/admin/regions/gusu", json={"hotline": None}, headers=admin)
    assert cleared.status_code == 200 and cleared.json["hotline"] is None


@pytest.mark.parametrize("name, first, letters", [("Wei Zhang", "Wei", "WZ"), ("王伟", "王师傅", "王"),
                                                  ("  Li  ", "Li", "L"), ("Ana María López", "Ana", "AM")])
def test_the_customer_learns_a_first_name_or_a_form_of_address_never_the_full_name(name, first, letters):
    from api.public.tracking import first_name, initials
    assert (first_name(name), initials(name)) == (first, letters)
