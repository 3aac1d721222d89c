"""The technician's agenda (today and the next days, bounded), the job screen's one primary next step, and
the completion form offering the appliance model's parts before the rest of the van."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest

from fieldwork.photos import MAX_PHOTO_BYTES
from fieldwork.read import DayOutOfRange, agenda_day, short_address
from inventory import ledger
from tests.api.field.test_field_pages import post_status
from tests.api.test_pages import csrf_from, sign_in
from tests.builders.fieldwork import build_field_world
from tests.builders.inventory import make_part
from tests.conftest import NOW

TODAY = date(2026, 11, 23)


@pytest.fixture
def city(session):
    world = build_field_world(session, jobs=3)
    # The last visit of the day moves to tomorrow.
    world.jobs[2].plan_day, world.jobs[2].route_position = world.jobs[2].plan_day + timedelta(days=1), 0
    board = make_part(session, sku="P-TVBOARD")  # in the van, but not on the fridge's bill of materials
    ledger.receive(session, warehouse=world.tech.van, part=board, quantity=1, actor="test", now=NOW)
    session.commit()
    return world


def _rows(html: str) -> list[str]:
    return re.findall(r'<li class="agenda-row" data-job="([^"]+)"', html)


def test_the_agenda_lists_each_days_visits_in_route_order_with_a_day_switcher(client, city):
    assert city.jobs[0].plan_day == TODAY
    sign_in(client, "tech01")
    today = client.get("/tech").get_data(as_text=True)
    assert _rows(today) == [city.jobs[0].number, city.jobs[1].number]
    assert f'href="/tech/jobs/{city.jobs[0].number}"' in today and "Zhang Wei" in today
    assert re.search(r'data-testid="where">\d+ Renmin Road</small>', today)  # without the city
    assert "<svg" in today and city.other_job.number not in today
    switcher = re.findall(r'data-day="([0-9-]+)"', today)
    assert switcher == [(TODAY + timedelta(days=n)).isoformat() for n in range(7)]
    assert "Today" in today and "Tomorrow" in today

    tomorrow = client.get(f"/tech?day={TODAY + timedelta(days=1)}").get_data(as_text=True)
    assert _rows(tomorrow) == [city.jobs[2].number]
    assert f'data-day="{TODAY + timedelta(days=1)}" aria-current="date"' in tomorrow
    last = client.get(f"/tech?day={TODAY + timedelta(days=6)}")
    assert last.status_code == 200 and _rows(last.get_data(as_text=True)) == []
    assert "No visits planned for you on this day." in last.get_data(as_text=True)


@pytest.mark.parametrize("day", ["yesterday", "2026-11-22", "2026-11-30", "9999-12-31", "2026-02-30", "x" * 5000,
                                 "2026-11-23T10:00", "-1"])
def test_a_day_the_agenda_does_not_show_is_a_readable_message(client, city, day):
    sign_in(client, "tech01")
    response = client.get("/tech", query_string={"day": day})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The agenda shows today and the next 6 days" in html and 'data-testid="day-switcher"' in html
    assert _rows(html) == []


def test_agenda_day_bounds():
    assert agenda_day(None, today=TODAY) == agenda_day("", today=TODAY) == TODAY
    assert agenda_day("2026-11-29", today=TODAY) == date(2026, 11, 29)
    for raw in ("2026-11-30", "2026-11-22", "nonsense", "2026-11-23 "):
        with pytest.raises(DayOutOfRange):
            agenda_day(raw, today=TODAY)


def test_a_short_address_keeps_the_district_and_street():
    assert short_address("苏州市姑苏区人民路12号5幢301室") == "姑苏区人民路12号"
    assert short_address("江苏省苏州市吴中区东吴北路3号") == "吴中区东吴北路3号"
    assert short_address("12 Renmin Road, Building 5, Flat 301, Suzhou") == "12 Renmin Road"


def _primary_buttons(html: str) -> list[str]:
    return re.findall(r'data-kind="primary"\s+data-testid="action-([a-z_]+)"', html)


def test_the_job_screen_has_one_primary_next_step_and_the_rest_secondary(client, city):
    sign_in(client, "tech01")
    number = city.jobs[0].number
    html = client.get(f"/tech/jobs/{number}").get_data(as_text=True)
    assert _primary_buttons(html) == ["accept"]
    assert set(re.findall(r'data-kind="secondary"\s+data-testid="action-([a-z_]+)"', html)) == {"en_route",
                                                                                              "waiting_parts"}
    steps = {"accept": "en_route", "en_route": "on_site"}
    for done, following in steps.items():
        assert post_status(client, number, done).status_code == 303
        assert _primary_buttons(client.get(f"/tech/jobs/{number}").get_data(as_text=True)) == [following]
    assert post_status(client, number, "on_site").status_code == 303
    on_site = client.get(f"/tech/jobs/{number}").get_data(as_text=True)
    # On site the next step is the completion form, which has the one and only completion button.
    assert _primary_buttons(on_site) == [] and 'data-testid="go-complete"' in on_site
    assert on_site.count('type="submit" class="big primary"') == 1
    assert on_site.count('data-testid="complete"') == 1 and 'data-testid="action-completed"' not in on_site


def test_completion_offers_the_models_parts_before_the_vans_other_parts(client, city):
    sign_in(client, "tech01")
    number = city.jobs[0].number
    for to in ("accept", "en_route", "on_site"):
        post_status(client, number, to)
    html = client.get(f"/tech/jobs/{number}").get_data(as_text=True)
    form = html[html.index('id="complete"'):html.index('id="parts"')]
    model, other = form.index('data-testid="model-parts"'), form.index('data-testid="other-parts"')
    assert model < form.index(f'id="use_{city.part.id}"') < other < form.index("P-TVBOARD")
    assert "Parts for this appliance" in form and "Other parts in your van (1)" in form
    assert f'id="use_{city.spare.id}"' not in form  # on the bill, but neither reserved nor in the van


def test_a_photo_problem_is_shown_beside_the_photo_field(client, city):
    sign_in(client, "tech01")
    number = city.jobs[0].number
    page = client.get(f"/tech/jobs/{number}")
    assert f'action="/tech/jobs/{number}/photos#photos"' in page.get_data(as_text=True)
    refused = client.post(f"/tech/jobs/{number}/photos", content_type="multipart/form-data",
                          data={"csrf_token": csrf_from(page)})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    photos = html[html.index('id="photos"'):]
    assert 'data-testid="photo-error"' in photos and "Choose a photo" in photos
    assert 'aria-describedby="photo-error"' in photos and 'data-testid="errors"' not in html

    # Too large is refused before the view reads the file, and still said beside the field.
    huge = client.post(f"/tech/jobs/{number}/photos", content_type="multipart/form-data",
                       data={"csrf_token": csrf_from(page),
                             "photo": (io.BytesIO(b"\xff" * (MAX_PHOTO_BYTES + 70 * 1024)), "huge.jpg")})
    html = huge.get_data(as_text=True)
    assert huge.status_code == 413
    photos = html[html.index('id="photos"'):]
    assert 'data-testid="photo-error"' in photos and "The file is too large; nothing was saved." in photos


def test_a_photo_too_large_for_another_technicians_job_says_only_that_it_is_too_large(client, city):
    sign_in(client, "tech01")
    token = csrf_from(client.get("/tech"))
    huge = client.post(f"/tech/jobs/{city.other_job.number}/photos", content_type="multipart/form-data",
                       data={"csrf_token": token,
                             "photo": (io.BytesIO(b"\xff" * (MAX_PHOTO_BYTES + 70 * 1024)), "huge.jpg")})
    html = huge.get_data(as_text=True)
    assert huge.status_code == 413 and "too large" in html
    assert 'data-testid="job-number"' not in html and city.other_job.fault_text not in html  # the plain error page


def test_the_offline_worker_is_served_for_the_technicians_pages_and_registered_by_the_agenda(client, city):
    worker = client.get("/tech/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Service-Worker-Allowed"] == "/tech" and worker.headers["Cache-Control"] == "no-cache"
    script = worker.get_data(as_text=True)
    assert script.count('"GET")') == script.count("registerRoute(") == 2  # posts never go through the kept copies
    sign_in(client, "tech01")
    agenda = client.get("/tech").get_data(as_text=True)
    assert 'data-worker="/tech/sw.js"' in agenda and 'data-scope="/tech"' in agenda
    assert 'data-testid="offline-copy"' in client.get(f"/tech/jobs/{city.jobs[0].number}").get_data(as_text=True)


WORKBOX = "/static/vendor/workbox/"


def _workbox_modules(script: str) -> set[str]:
    """The Workbox modules a script uses (`workbox.cacheableResponse.…` is workbox-cacheable-response)."""
    names = re.findall(r"\bworkbox\.([a-z][A-Za-z]*)\.", script)
    return {re.sub(r"[A-Z]", lambda capital: "-" + capital.group().lower(), name) for name in names}


def test_the_offline_worker_loads_workbox_from_this_server_and_every_module_it_needs_is_served(client):
    script = client.get("/tech/sw.js").get_data(as_text=True)
    assert f'importScripts("{WORKBOX}workbox-sw.js")' in script
    assert f'workbox.setConfig({{modulePathPrefix: "{WORKBOX}", debug: false}})' in script
    assert "//" not in re.sub(r"^\s*//.*$", "", script, flags=re.MULTILINE)  # no other host named anywhere
    loader = client.get(f"{WORKBOX}workbox-sw.js")
    assert loader.status_code == 200 and loader.mimetype == "text/javascript"
    # The modules the worker uses, and the ones those use in turn: each one a file of ours.
    wanted, served = _workbox_modules(script), set()
    assert {"core", "routing", "strategies", "expiration"} <= wanted
    while wanted - served:
        name = (wanted - served).pop()
        module = client.get(f"{WORKBOX}workbox-{name}.prod.js")
        assert module.status_code == 200 and module.mimetype == "text/javascript", name
        served.add(name)
        wanted |= _workbox_modules(module.get_data(as_text=True))
    assert client.get(f"{WORKBOX}LICENSE").status_code == 200
