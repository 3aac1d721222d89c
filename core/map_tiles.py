"""The street map's tile server: checking the configured address template, and the origin pages must
allow images from (their Content-Security-Policy)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_TEMPLATE_LENGTH = 2048
MAX_ATTRIBUTION_LENGTH = 300
# What Leaflet fills in: zoom, column, row (or the row counted from the south, as TMS servers do), a
# subdomain letter to spread the load, "@2x" on sharp screens.
PLACEHOLDERS = {"{z}", "{x}", "{y}", "{-y}", "{s}", "{r}"}
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_HOST = re.compile(r"^(\{s\}\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
EXAMPLE = "https://tile.example.com/{z}/{x}/{y}.png"


class InvalidTiles(ValueError):
    """The tile settings cannot work; the message says what to write instead."""


@dataclass(frozen=True)
class MapTiles:
    url_template: str
    attribution: str = ""
    max_zoom: int = 19

    def __post_init__(self) -> None:
        check_template(self.url_template)
        if len(self.attribution) > MAX_ATTRIBUTION_LENGTH:
            raise InvalidTiles(f"AFTERCARE_MAP_ATTRIBUTION must be at most {MAX_ATTRIBUTION_LENGTH} characters, "
                               f"not {len(self.attribution)}")
        if not 1 <= self.max_zoom <= 22:
            raise InvalidTiles(f"AFTERCARE_MAP_MAX_ZOOM must be from 1 to 22, not {self.max_zoom}")

    @property
    def image_source(self) -> str:
        """The CSP source of the tiles: scheme and host (a subdomain placeholder becomes a wildcard)."""
        parts = urlsplit(self.url_template)
        return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


def check_template(template: str) -> str:
    def refuse(why: str):
        return InvalidTiles(f"AFTERCARE_MAP_TILES {why} (e.g. {EXAMPLE}), not {template[:200]!r}")

    if len(template) > MAX_TEMPLATE_LENGTH:
        raise refuse(f"must be at most {MAX_TEMPLATE_LENGTH} characters")
    if not template.isprintable() or any(c.isspace() for c in template):
        raise refuse("must be one address without spaces")
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https"):
        raise refuse("must be an http:// or https:// address")
    if not parts.netloc or not _HOST.match(parts.netloc):
        raise refuse("must name a host (letters, digits, dots, hyphens; {s}. in front for subdomains)")
    found = set(_PLACEHOLDER.findall(template))
    if unknown := found - PLACEHOLDERS:
        raise refuse(f"has placeholders Leaflet does not fill in ({', '.join(sorted(unknown))}); "
                     f"use {{z}} {{x}} {{y}}, and {{s}} or {{r}} if the server wants them")
    if not {"{z}", "{x}"} <= found or not found & {"{y}", "{-y}"}:
        raise refuse("must contain {z}, {x} and {y}")
    return template
