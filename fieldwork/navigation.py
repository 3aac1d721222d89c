"""Links that open a job's address in a navigation app: the phone's own (geo: URI) or AMap / Baidu Maps
on the web. Coordinates are WGS-84, so the web links say so and the map providers convert them."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode


@dataclass(frozen=True)
class NavigationLinks:
    geo: str
    amap: str
    baidu: str


def navigation_links(lat: float, lon: float, label: str) -> NavigationLinks:
    point = f"{lat:.6f},{lon:.6f}"
    return NavigationLinks(
        # RFC 5870 geo URI; the q= form makes Android apps drop a labelled pin.
        geo=f"geo:{point}?q={point}({quote(label, safe='')})",
        amap="https://uri.amap.com/marker?" + urlencode(
            {"position": f"{lon:.6f},{lat:.6f}", "name": label, "coordinate": "wgs84", "callnative": 1,
             "src": "aftercare"}),
        baidu="https://api.map.baidu.com/marker?" + urlencode(
            {"location": point, "title": label, "content": label, "coord_type": "wgs84", "output": "html",
             "src": "aftercare"}),
    )
