"""A re-optimisation plan's proposed routes as a RouteMap, to look at before applying it."""
from __future__ import annotations

from dispatch.models import PlanRun
from dispatch.route_map import MapRoute, MapStop, RouteMap


def plan_route_map(plan: PlanRun) -> RouteMap:
    result = plan.result or {}
    return RouteMap(
        title=f"Plan {plan.id}: {plan.region.name} — {plan.day.isoformat()}",
        routes=[MapRoute(name=r["technician"], start=tuple(r["start"]),
                         stops=[MapStop(s["lat"], s["lon"], s["job"], s["start"][11:16]) for s in r["stops"]])
                for r in result.get("routes", [])])
