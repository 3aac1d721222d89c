"""The street map's tile settings: read from the environment, refused at start-up when they cannot work."""
from __future__ import annotations

import pytest

from core.settings import InvalidSetting, Settings

TEMPLATE = "https://tiles.example.com/{z}/{x}/{y}.png"


def test_no_tile_server_by_default_means_no_street_map(tmp_path):
    settings = Settings.from_env({"AFTERCARE_DATA_DIR": str(tmp_path)})
    assert settings.map_tiles is None and settings.street_map is None


def test_the_tile_template_its_credit_and_zoom_are_read_from_the_environment(tmp_path):
    settings = Settings.from_env({"AFTERCARE_DATA_DIR": str(tmp_path), "AFTERCARE_MAP_TILES": f" {TEMPLATE} ",
                                  "AFTERCARE_MAP_ATTRIBUTION": "© OpenStreetMap contributors",
                                  "AFTERCARE_MAP_MAX_ZOOM": "17"})
    tiles = settings.street_map
    assert (tiles.url_template, tiles.attribution, tiles.max_zoom) == (TEMPLATE, "© OpenStreetMap contributors", 17)
    assert tiles.image_source == "https://tiles.example.com"


def test_a_subdomain_placeholder_allows_every_subdomain_of_the_host():
    tiles = Settings(map_tiles="https://{s}.tile.example.org:8443/{z}/{x}/{y}{r}.png").street_map
    assert tiles.image_source == "https://*.tile.example.org:8443"
    assert Settings(map_tiles="http://127.0.0.1:8080/tms/{z}/{x}/{-y}.png").street_map.image_source == \
        "http://127.0.0.1:8080"


@pytest.mark.parametrize("template, reason", [
    ("https://tiles.example.com/{z}/{x}.png", "must contain {z}, {x} and {y}"),
    ("https://tiles.example.com/tile.png", "must contain {z}, {x} and {y}"),
    ("ftp://tiles.example.com/{z}/{x}/{y}.png", "must be an http:// or https:// address"),
    ("javascript:alert(1)//{z}/{x}/{y}", "must be an http:// or https:// address"),
    ("tiles.example.com/{z}/{x}/{y}.png", "must be an http:// or https:// address"),
    ("https:///{z}/{x}/{y}.png", "must name a host"),
    ("https://user@tiles.example.com/{z}/{x}/{y}.png", "must name a host"),
    ("https://tiles.example.com/{z}/{x}/{y}.png?key={apikey}", "placeholders Leaflet does not fill in ({apikey})"),
    ("https://tiles.example.com/{z}/{x}/{y}.png two", "must be one address without spaces"),
    ("https://tiles.example.com/" + "a" * 2100 + "/{z}/{x}/{y}.png", "at most 2048 characters"),
])
def test_a_tile_template_that_cannot_work_stops_start_up_with_what_to_write(template, reason):
    with pytest.raises(InvalidSetting) as refused:
        Settings(map_tiles=template)
    assert reason in str(refused.value) and "AFTERCARE_MAP_TILES" in str(refused.value)
    assert "e.g. https://tile.example.com/{z}/{x}/{y}.png" in str(refused.value)


def test_a_zoom_or_credit_out_of_bounds_stops_start_up(tmp_path):
    with pytest.raises(InvalidSetting, match="AFTERCARE_MAP_MAX_ZOOM must be from 1 to 22, not 30"):
        Settings(map_tiles=TEMPLATE, map_max_zoom=30)
    with pytest.raises(InvalidSetting, match="AFTERCARE_MAP_MAX_ZOOM must be a whole number"):
        Settings.from_env({"AFTERCARE_DATA_DIR": str(tmp_path), "AFTERCARE_MAP_TILES": TEMPLATE,
                           "AFTERCARE_MAP_MAX_ZOOM": "deep"})
    with pytest.raises(InvalidSetting, match="AFTERCARE_MAP_ATTRIBUTION must be at most 300 characters"):
        Settings(map_tiles=TEMPLATE, map_attribution="x" * 301)
