"""The demo city lets a person try the field pages: tech01 has a route today once the scheduler ran,
and `aftercare demo urls` says where to go."""
from __future__ import annotations

from click.testing import CliRunner

from cli.worker import process_queue
from demo.world import DEMO_PASSWORD, load_demo
from tests.api.test_pages import csrf_from
from tests.conftest import NOW


def test_tech01_signs_in_and_sees_a_route_today_after_the_scheduler_ran(app, client, session, database_url):
    services = app.extensions["aftercare"]
    load_demo(session, today=NOW.astimezone(services.tz).date(), asset_count=60, open_reports=8, now=NOW,
              tz=services.tz)
    session.commit()
    while process_queue(services.session_factory, services.settings, services.clock, worker="test"):
        pass

    client.post("/login", data={"csrf_token": csrf_from(client.get("/login")), "username": "tech01",
                                "password": DEMO_PASSWORD})
    html = client.get("/tech").get_data(as_text=True)
    assert html.count('class="agenda-row"') >= 3 and "<svg" in html  # the three planned at load, maybe more
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/tech"))})
    client.post("/login", data={"csrf_token": csrf_from(client.get("/login")), "username": "dispatch.zhou",
                                "password": DEMO_PASSWORD})
    assert client.get("/dispatch?region=gusu").status_code == 200

    from cli.commands import main

    result = CliRunner().invoke(main, ["demo", "urls"], env={"AFTERCARE_DATABASE_URL": database_url,
                                                             "AFTERCARE_PUBLIC_BASE_URL": "http://demo.test"})
    assert result.exit_code == 0, result.output
    assert "http://demo.test/tech" in result.output and "http://demo.test/dispatch?region=gusu" in result.output
