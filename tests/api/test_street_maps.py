"""Street maps without a browser: the routes as data for the map script, the pages that carry them only
where a tile server is configured, and the tile host allowed for images by the pages' policy."""
from __future__ import annotations

import dataclasses
import html
import json
import re

import pytest

from api.route_maps import PALETTE, MapRoute, MapStop, RouteMap
from api.security_headers import PAGE_POLICY
from api.street_maps import routes_data
from tests.api.board.test_dispatch_api import run_worker
from tests.api.test_pages import csrf_from, sign_in
from tests.builders.fieldwork import build_field_world

TILES = "https://{s}.tiles.example.com/{z}/{x}/{y}.png"


def test_each_route_gets_its_svg_colour_and_numbered_stops_and_left_out_jobs_stand_apart():
    stops = [MapStop(31.3, 120.6, "AC-1", "09:30", "Zhang Wei"), MapStop(31.31, 120.61, "AC-2", "10:45")]
    route_map = RouteMap(title="Gusu", routes=[MapRoute("Wang", (31.29, 120.59), stops),
                                               MapRoute("Li", (31.4, 120.7), [MapStop(31.41, 120.71, "AC-3")])],
                         unassigned=[MapStop(31.5, 120.5, "AC-4")])
    data = routes_data(route_map)
    assert [(r["name"], r["colour"]) for r in data["routes"]] == [("Wang", PALETTE[0]), ("Li", PALETTE[1])]
    assert data["routes"][0]["start"] == [31.29, 120.59]
    assert data["routes"][0]["stops"] == [
        {"lat": 31.3, "lon": 120.6, "job": "AC-1", "eta": "09:30", "n": 1, "customer": "Zhang Wei"},
        {"lat": 31.31, "lon": 120.61, "job": "AC-2", "eta": "10:45", "n": 2}]
    assert data["unassigned"] == [{"lat": 31.5, "lon": 120.5, "job": "AC-4", "eta": ""}]
    json.dumps(data)  # plain data, as the page carries it


def _street_map_of(page: str) -> dict:
    found = re.search(r"data-routes='([^']*)'", page)
    assert found, "no street map on the page"
    return json.loads(html.unescape(found.group(1)))


def test_without_a_tile_server_the_pages_keep_the_svg_alone_and_load_no_map_library(client, session):
    city = build_field_world(session)
    sign_in(client, "dispatch.zhou")
    board = client.get("/dispatch?region=gusu")
    page = board.get_data(as_text=True)
    assert "<svg" in page and "street-map" not in page and "leaflet" not in page
    assert board.headers["Content-Security-Policy"] == PAGE_POLICY
    sign_in(client, city.tech.user.username)
    agenda = client.get("/tech").get_data(as_text=True)
    assert "<svg" in agenda and "leaflet" not in agenda


class TestWithATileServer:
    """The same pages where the settings name a tile server."""

    @pytest.fixture
    def settings(self, settings):
        return dataclasses.replace(settings, map_tiles=TILES, map_attribution="Tiles © Example", map_max_zoom=18)

    def test_with_a_tile_server_the_board_carries_its_routes_and_allows_the_tiles_host(self, client, session):
        city = build_field_world(session)
        sign_in(client, "dispatch.zhou")
        board = client.get("/dispatch?region=gusu")
        page = board.get_data(as_text=True)
        assert "<svg" in page and 'id="board-map"' in page  # the picture stays, for no script or no tiles
        assert "vendor/leaflet/leaflet.js" in page and "street-map.js" in page
        data = _street_map_of(page)
        assert sorted(len(route["stops"]) for route in data["routes"]) == [1, 2]
        assert {stop["job"] for route in data["routes"] for stop in route["stops"]} == \
            {job.number for job in city.jobs} | {city.other_job.number}
        assert all("customer" not in stop for route in data["routes"] for stop in route["stops"])
        assert {stop["url"] for route in data["routes"] for stop in route["stops"]} == \
            {f"/agent/jobs/{job.number}" for job in [*city.jobs, city.other_job]}
        assert f'data-tiles="{TILES}"' in page and 'data-max-zoom="18"' in page
        policy = board.headers["Content-Security-Policy"]
        assert "img-src 'self' https://*.tiles.example.com;" in policy and "script-src 'self';" in policy


    def test_the_technician_s_street_map_names_the_customers_of_their_own_day_only(self, client, session):
        city = build_field_world(session)
        sign_in(client, city.tech.user.username)
        data = _street_map_of(client.get("/tech").get_data(as_text=True))
        [route] = data["routes"]
        assert [stop["job"] for stop in route["stops"]] == [job.number for job in city.jobs]
        assert [stop["n"] for stop in route["stops"]] == [1, 2]
        assert all(stop["customer"] == "Zhang Wei" and re.fullmatch(r"\d\d:\d\d", stop["eta"]) for stop in route["stops"])
        assert [stop["url"] for stop in route["stops"]] == [f"/tech/jobs/{job.number}" for job in city.jobs]
        assert data["unassigned"] == []


    def test_the_plan_preview_draws_the_proposal_on_the_street_map(self, client, session):
        build_field_world(session)
        sign_in(client, "dispatch.zhou")
        token = csrf_from(client.get("/dispatch?region=gusu"))
        location = client.post("/dispatch/plans", data={"csrf_token": token, "region": "gusu", "day": "2026-11-23",
                                                        "time_limit": "1"}).headers["Location"]
        assert "data-routes" not in client.get(location).get_data(as_text=True)  # nothing to draw before the solve
        run_worker(client.application)
        data = _street_map_of(client.get(location).get_data(as_text=True))
        assert sum(len(route["stops"]) for route in data["routes"]) == 3


@pytest.mark.parametrize("locale, one, two", [("en", "Li — 1 stop<", "Wang — 2 stops<"),
                                               ("zh_CN", "Li — 1 个站点<", "Wang — 2 个站点<")])
def test_the_svg_legend_counts_one_stop_and_several_in_the_page_s_language(locale, one, two):
    from api.route_maps import render_svg
    from core.i18n import use_locale

    route_map = RouteMap(title="Gusu", routes=[
        MapRoute("Wang", (31.29, 120.59), [MapStop(31.3, 120.6, "AC-1"), MapStop(31.31, 120.61, "AC-2")]),
        MapRoute("Li", (31.4, 120.7), [MapStop(31.41, 120.71, "AC-3")])])
    with use_locale(locale):
        svg = render_svg(route_map)
    assert one in svg and two in svg
