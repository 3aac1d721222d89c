"""Pictures of routes (a region's day, a proposed plan, a technician's day on the phone): each
technician's route as a coloured line through numbered stops, with left-out jobs marked, as a
self-contained SVG (no map tiles, so it works offline)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from core.i18n import gettext as _
from dispatch.jobs.models import Job
from dispatch.planning.models import PlanRun
from dispatch.planning.read import TechnicianDay
from dispatch.technicians.models import Technician
from fieldwork.read import FieldDay

PALETTE = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4", "#b15928",
           "#6a3d9a", "#33a02c", "#fb9a99", "#ff7f00", "#cab2d6", "#b2df8a", "#a6cee3"]


@dataclass(frozen=True)
class MapStop:
    lat: float
    lon: float
    label: str  # e.g. job number
    eta: str = ""  # e.g. "10:35"
    customer: str = ""  # on the technician's own map only: the office's maps show job numbers


@dataclass(frozen=True)
class MapRoute:
    name: str
    start: tuple[float, float]
    stops: list[MapStop]
    summary: str = ""


@dataclass
class RouteMap:
    title: str
    routes: list[MapRoute]
    unassigned: list[MapStop] = field(default_factory=list)
    width: int = 960
    height: int = 640
    # Without the legend the routes get the whole width (a phone showing one technician's day).
    legend: bool = True


def render_svg(route_map: RouteMap) -> str:
    legend_width = 260 if route_map.legend else 0
    plot_w, plot_h, pad = route_map.width - legend_width, route_map.height - 40, 24
    points = [r.start for r in route_map.routes] + [(s.lat, s.lon) for r in route_map.routes for s in r.stops] + \
             [(s.lat, s.lon) for s in route_map.unassigned]
    if not points:
        points = [(0.0, 0.0)]
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    mid_lat = math.radians((min(lats) + max(lats)) / 2)
    # Equirectangular projection: longitude shrinks by cos(latitude) so distances look right locally.
    xs = [lon * math.cos(mid_lat) for lon in lons]
    span_x, span_y = max(max(xs) - min(xs), 1e-6), max(max(lats) - min(lats), 1e-6)
    scale = min((plot_w - 2 * pad) / span_x, (plot_h - 2 * pad) / span_y)
    min_x, max_lat = min(xs), max(lats)

    def project(lat: float, lon: float) -> tuple[float, float]:
        return (pad + (lon * math.cos(mid_lat) - min_x) * scale, 40 + pad + (max_lat - lat) * scale)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{route_map.width}" height="{route_map.height}" '
           f'viewBox="0 0 {route_map.width} {route_map.height}" font-family="sans-serif" font-size="11">',
           '<rect width="100%" height="100%" fill="#fbfcfd"/>',
           f'<text x="{pad}" y="26" font-size="16" font-weight="bold">{escape(route_map.title)}</text>']
    for index, route in enumerate(route_map.routes):
        colour = PALETTE[index % len(PALETTE)]
        path = [project(*route.start)] + [project(s.lat, s.lon) for s in route.stops]
        if len(path) > 1:
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.2" stroke-opacity="0.85" points="'
                       + " ".join(f"{x:.1f},{y:.1f}" for x, y in path) + '"/>')
        x, y = path[0]
        start_title = escape(_("%(name)s: start", name=route.name))
        out.append(f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{colour}" stroke="#222">'
                   f'<title>{start_title}</title></rect>')
        for number, (stop, (x, y)) in enumerate(zip(route.stops, path[1:]), start=1):
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="8" fill="#fff" stroke="{colour}" stroke-width="2">'
                       f'<title>{escape(stop.label)} {escape(stop.eta)}</title></circle>'
                       f'<text x="{x:.1f}" y="{y + 3.5:.1f}" text-anchor="middle" font-size="9">{number}</text>')
    for stop in route_map.unassigned:
        x, y = project(stop.lat, stop.lon)
        left_out = escape(_("%(job)s: not assigned", job=stop.label))
        out.append(f'<path d="M{x - 6:.1f},{y - 6:.1f} L{x + 6:.1f},{y + 6:.1f} M{x - 6:.1f},{y + 6:.1f} '
                   f'L{x + 6:.1f},{y - 6:.1f}" stroke="#c00" stroke-width="2.5"><title>'
                   f'{left_out}</title></path>')
    if not route_map.legend:
        out.append("</svg>")
        return "\n".join(out)
    legend_x = route_map.width - legend_width + 10
    heading = escape(_("Technicians"))
    out.append(f'<text x="{legend_x}" y="56" font-weight="bold">{heading}</text>')
    y = 74
    for index, route in enumerate(route_map.routes):
        if y > route_map.height - 40:
            more = escape(_("… %(n)s more", n=len(route_map.routes) - index))
            out.append(f'<text x="{legend_x}" y="{y}">{more}</text>')
            break
        colour = PALETTE[index % len(PALETTE)]
        stops = escape(_("1 stop") if len(route.stops) == 1 else _("%(n)s stops", n=len(route.stops)))
        out.append(f'<rect x="{legend_x}" y="{y - 9}" width="12" height="12" fill="{colour}"/>'
                   f'<text x="{legend_x + 18}" y="{y + 1}">{escape(route.name)} — {stops}'
                   f'{(" · " + escape(route.summary)) if route.summary else ""}</text>')
        y += 18
    if route_map.unassigned:
        not_assigned = escape(_("%(n)s not assigned", n=len(route_map.unassigned)))
        out.append(f'<text x="{legend_x}" y="{y + 10}" fill="#c00">✕ {not_assigned}</text>')
    out.append("</svg>")
    return "\n".join(out)


def map_route(technician: Technician, jobs: list[Job], *, tz: ZoneInfo,
              start: tuple[float, float] | None = None, with_customer: bool = False) -> MapRoute:
    """A technician's jobs in route order, labelled with their ETAs, from `start` (default: home)."""
    return MapRoute(name=technician.user.display_name, start=start or (technician.home_lat, technician.home_lon),
                    stops=[MapStop(j.latitude, j.longitude, j.number,
                                   j.planned_start.astimezone(tz).strftime("%H:%M") if j.planned_start else "",
                                   j.contact_name if with_customer else "")
                           for j in jobs])


def route_map_of(days: list[TechnicianDay], waiting: list[Job], *, title: str, tz: ZoneInfo) -> RouteMap:
    # The board shows it in a column beside the lists: drawn at about that size, its legend stays legible.
    return RouteMap(title=title, routes=[map_route(d.technician, d.jobs, tz=tz) for d in days if d.jobs],
                    unassigned=[MapStop(j.latitude, j.longitude, j.number) for j in waiting], width=640, height=520)


def _local_clock(iso: str, region) -> str:
    """A stored stop time (ISO text) as the time of day in the region's zone."""
    try:
        moment = datetime.fromisoformat(iso)
        return moment.astimezone(ZoneInfo(region.time_zone)).strftime("%H:%M") if moment.tzinfo else iso[11:16]
    except (ValueError, KeyError):
        return iso[11:16]


def plan_route_map(plan: PlanRun) -> RouteMap:
    result = plan.result or {}
    return RouteMap(
        title=_("Plan %(id)s: %(region)s — %(day)s", id=plan.id, region=plan.region.name, day=plan.day.isoformat()),
        routes=[MapRoute(name=r["technician"], start=tuple(r["start"]),
                         stops=[MapStop(s["lat"], s["lon"], s["job"], _local_clock(s["start"], plan.region))
                                for s in r["stops"]])
                for r in result.get("routes", [])],
        # The preview shows it in half the page beside the changes; drawn at about that size, the
        # legend stays legible.
        width=640, height=520)


def field_route_map(day: FieldDay, *, tz: ZoneInfo) -> RouteMap:
    """Sized for a phone: the picture is scaled to the screen's width."""
    technician = day.technician
    start = (technician.last_lat, technician.last_lon) if technician.last_lat is not None else None
    return RouteMap(title=f"{technician.user.display_name} — {day.day.isoformat()}",
                    routes=[map_route(technician, [c.job for c in day.cards], tz=tz, start=start, with_customer=True)],
                    width=420, height=300, legend=False)
