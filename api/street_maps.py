"""The street map drawn over the route pictures where a tile server is configured: the routes as plain
data for static/street-map.js (Leaflet), which falls back to the SVG when the tiles do not come."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api.context import services
from api.route_maps import PALETTE, MapStop, RouteMap
from core.map_tiles import MapTiles


@dataclass(frozen=True)
class StreetMap:
    tiles: MapTiles
    routes: dict[str, Any]


JobLink = Callable[[str], str]


def _stop(stop: MapStop, link: JobLink | None, number: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"lat": round(stop.lat, 6), "lon": round(stop.lon, 6), "job": stop.label, "eta": stop.eta}
    if number is not None:
        out["n"] = number
    if stop.customer:
        out["customer"] = stop.customer
    if link is not None:
        out["url"] = link(stop.label)
    return out


def routes_data(route_map: RouteMap, *, link: JobLink | None = None) -> dict[str, Any]:
    """Each technician's route in the SVG's colour, with numbered stops; the jobs left out apart. `link`
    gives the page a job's number opens from the map (the office's job page, the technician's)."""
    return {
        "routes": [{"name": route.name, "colour": PALETTE[index % len(PALETTE)],
                    "start": [round(route.start[0], 6), round(route.start[1], 6)],
                    "stops": [_stop(stop, link, number) for number, stop in enumerate(route.stops, start=1)]}
                   for index, route in enumerate(route_map.routes)],
        "unassigned": [_stop(stop, link) for stop in route_map.unassigned],
    }


def street_map(route_map: RouteMap, *, link: JobLink | None = None) -> StreetMap | None:
    """None where no tile server is configured: the page shows the SVG alone and loads no map library."""
    tiles = services().settings.street_map
    if tiles is None or not (route_map.routes or route_map.unassigned):
        return None
    return StreetMap(tiles, routes_data(route_map, link=link))
