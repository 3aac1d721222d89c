"""The manager's dashboard page over HTTP: every number is a link to the jobs behind it and the list it
opens has as many rows as the number says; the previous period beside the headlines; the region and
technician table downloads as CSV that Excel opens (UTF-8 with a byte-order mark, no formulas); bad
drill-down and download requests are a message, never a 500."""
from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, timedelta

import pytest

from care.dashboard import build_dashboard
from core.users import Role
from tests.api.test_pages import sign_in
from tests.builders.care import TZ, make_open_job
from tests.builders.core import make_region, make_user
from tests.builders.dashboard import build_dashboard_world
from tests.builders.dispatch import make_asset
from tests.conftest import NOW

PERIOD = "from=2026-10-01&to=2026-10-30"
LINK = re.compile(r'<a href="(/manager/dashboard/jobs\?[^"]+)" data-testid="([^"]+)">(\d+)</a>')


@pytest.fixture
def manager(session):
    make_user(session, username="manager.xu", role=Role.MANAGER)
    session.commit()
    return "manager.xu"


@pytest.fixture
def history(session, manager):
    build_dashboard_world(session, jobs=120, seed=11, start=date(2026, 10, 1), days=30)
    session.commit()


def _rows(client, url: str) -> int:
    page = client.get(url)
    assert page.status_code == 200, url
    text = page.get_data(as_text=True)
    listed = text.count('<tr><td><a class="mono"')
    summary = re.search(r'data-testid="drill-summary">[^<]*?(\d+) job', text)
    assert summary and int(summary.group(1)) == listed, url
    return listed


def test_every_number_on_the_dashboard_opens_as_many_jobs(client, history, manager):
    sign_in(client, manager)
    for view in ("regions", "technicians"):
        page = client.get(f"/manager/dashboard?{PERIOD}&view={view}")
        assert page.status_code == 200
        links = LINK.findall(page.get_data(as_text=True))
        seen = {testid for _url, testid, _n in links}
        assert {"kpi-response-3", "kpi-repair-3", "row-jobs", "row-response_missed", "faults-jobs",
                "faults-repeats", "worst-regions-jobs", "model-rates-jobs", "part-rates-jobs"} <= seen
        for url, testid, number in links:
            assert _rows(client, html.unescape(url)) == int(number), testid
    breaches = re.findall(r'× <a href="([^"]+)">(\d+)</a>', page.get_data(as_text=True))
    assert breaches
    for url, number in breaches:
        assert _rows(client, html.unescape(url)) == int(number)


def test_each_point_of_the_trend_opens_the_jobs_of_its_days(client, session, history, manager):
    """The trend's points together open every job and answer the headline counts, each exactly once."""
    sign_in(client, manager)
    text = client.get(f"/manager/dashboard?{PERIOD}").get_data(as_text=True)
    points = re.findall(r'<a href="([^"]+)" class="trend-point">', text)
    board = build_dashboard(session, start=date(2026, 10, 1), end=date(2026, 10, 30), tz=TZ, now=NOW)
    headline = dict(zip(("response", "repair", "answered"), (m.rate.total for m in board.metrics), strict=True))
    totals = {"response": 0, "repair": 0, "answered": 0}
    for url in points:
        what = re.search(r"what=(\w+)", url).group(1)
        totals[what] += _rows(client, html.unescape(url))
    assert len(points) > 6 and all(headline.values())
    assert totals == headline


def test_each_headline_shows_the_previous_period_and_the_change(client, history, manager):
    sign_in(client, manager)
    text = client.get(f"/manager/dashboard?{PERIOD}").get_data(as_text=True)
    assert "2026-09-01 to 2026-09-30" in text
    for key in ("response", "repair", "satisfaction", "first_time_fix", "repeat_visits", "cycle", "utilisation",
                "parts_at_first_visit"):
        assert f'data-testid="kpi-{key}"' in text
    assert re.search(r'data-testid="kpi-response-previous">Previous period: <a href="[^"]+">[\d.]+ %</a> · '
                     r'<span class="(better|worse|)">[+-][\d.]+ pts</span>', text)
    zh = client.get(f"/manager/dashboard?{PERIOD}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "上一周期" in zh and "一次修复率" in zh


def test_the_table_in_view_downloads_as_csv_for_excel(client, session, manager):
    formula = make_region(session, code="formula")
    formula.name = "=HYPERLINK(\"http://evil\")"
    chinese = make_region(session, code="gusu")
    chinese.name = "苏州姑苏区"
    for region in (formula, chinese, chinese):
        make_open_job(session, asset=make_asset(session, region=region), owner=None, now=NOW - timedelta(days=1))
    session.commit()
    sign_in(client, manager)
    page = client.get("/manager/dashboard").get_data(as_text=True)
    link = re.search(r'href="(/manager/dashboard\.csv\?[^"]+)" data-testid="download-csv"', page).group(1)
    download = client.get(html.unescape(link), headers={"Accept-Language": "zh-CN"})
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="dashboard-regions-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv"',
                        download.headers["Content-Disposition"])
    body = download.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["区域", "工单数", "响应超时"]
    assert ["'=HYPERLINK(\"http://evil\")", "1"] == rows[1][:2]
    assert ["苏州姑苏区", "2"] == rows[2][:2]

    technicians = client.get(f"/manager/dashboard.csv?view=technicians&{PERIOD}")
    assert technicians.status_code == 200
    assert technicians.get_data().decode("utf-8-sig").splitlines()[0].startswith("Technician,Jobs,")
    assert "dashboard-technicians-2026-10-01-2026-10-30.csv" in technicians.headers["Content-Disposition"]


@pytest.mark.parametrize(("url", "status", "message"), [
    (f"/manager/dashboard/jobs?what=everything&{PERIOD}", 404, None),
    (f"/manager/dashboard/jobs?what=jobs&regions=abc&{PERIOD}", 422, "is not a row of the dashboard"),
    (f"/manager/dashboard/jobs?what=jobs&technicians={'9' * 12}&{PERIOD}", 422, "is not a row of the dashboard"),
    ("/manager/dashboard/jobs?what=jobs&from=9999-12-01&to=9999-12-31", 422, "1970-01-01"),
    ("/manager/dashboard/jobs?what=jobs&from=2026-11-20&to=2026-11-01", 422, "before its start"),
    (f"/manager/dashboard/jobs?what=breaches&clock=everything&{PERIOD}", 404, None),
    (f"/manager/dashboard/jobs?what=jobs&models={'&models='.join(['1'] * 51)}&{PERIOD}", 422, "at most 50"),
    (f"/manager/dashboard.csv?view=everything&{PERIOD}", 422, "regions or the technicians"),
    ("/manager/dashboard.csv?to=9999-12-31", 422, "1970-01-01"),
])
def test_bad_drill_down_and_download_requests_are_a_message(client, manager, url, status, message):
    sign_in(client, manager)
    answer = client.get(url)
    assert answer.status_code == status
    if message:
        assert message in answer.get_data(as_text=True)


def test_the_drill_down_and_the_download_are_for_managers_only(client, world):
    sign_in(client, world.agent.username)
    assert client.get(f"/manager/dashboard/jobs?what=jobs&{PERIOD}").status_code == 403
    assert client.get(f"/manager/dashboard.csv?{PERIOD}").status_code == 403
