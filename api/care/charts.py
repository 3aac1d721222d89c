"""Trend charts for the service dashboard as self-contained inline SVG (no plotting library, no
script): one line per promise over time, with its target as a dashed line."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

from core.i18n import gettext as _


@dataclass(frozen=True)
class Series:
    label: str
    points: list[float | None]   # shares 0..1; None where there was nothing to measure
    target: float
    colour: str
    links: list[str | None] | None = None  # each point's drill-down: the jobs behind it


def render_trend_svg(*, title: str, days: list[date], series: list[Series], width: int = 560,
                     height: int = 220) -> str:
    left, right, top, bottom = 44, 12, 28, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(days), 1)

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def y(share: float) -> float:
        return top + plot_h * (1 - share)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" class="trend">',
             f'<text x="{left}" y="16" font-size="13" font-weight="600" fill="#1d2630">{escape(title)}</text>']
    for share in (0, 0.25, 0.5, 0.75, 1):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(share):.1f}" y2="{y(share):.1f}" '
                     'stroke="#e3e8ec" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y(share) + 4:.1f}" font-size="10" text-anchor="end" '
                     f'fill="#5d6b78">{share:.0%}</text>')
    label_every = max(1, n // 8)
    for i, day in enumerate(days):
        if i % label_every == 0:
            parts.append(f'<text x="{x(i):.1f}" y="{height - bottom + 16}" font-size="10" text-anchor="middle" '
                         f'fill="#5d6b78">{day.strftime("%m-%d")}</text>')
    for k, s in enumerate(series):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(s.target):.1f}" y2="{y(s.target):.1f}" '
                     f'stroke="{s.colour}" stroke-width="1" stroke-dasharray="4 3" opacity="0.7"/>')
        # Gaps (periods with nothing to measure) break the line rather than pretending a value.
        runs, run = [], []
        for i, value in enumerate(s.points):
            if value is None:
                if run:
                    runs.append(run)
                run = []
            else:
                run.append((i, x(i), y(value)))
        if run:
            runs.append(run)
        for run in runs:
            if len(run) > 1:
                path = " ".join(f"{px:.1f},{py:.1f}" for _i, px, py in run)
                parts.append(f'<polyline points="{path}" fill="none" stroke="{s.colour}" stroke-width="2"/>')
            for i, px, py in run:
                parts.append(_point(s, i, px, py, days[i]))
        legend_x = left + k * 170
        parts.append(f'<rect x="{legend_x}" y="{height - 14}" width="10" height="10" fill="{s.colour}"/>')
        legend = escape(_("%(series)s (target %(target)s)", series=s.label, target=f"{s.target:.0%}"))
        parts.append(f'<text x="{legend_x + 14}" y="{height - 5}" font-size="11" fill="#1d2630">'
                     f'{legend}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _point(s: Series, i: int, px: float, py: float, day: date) -> str:
    """A point of a line; with a link, a wider invisible target around it opens the jobs behind it."""
    dot = f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{s.colour}"/>'
    href = s.links[i] if s.links and i < len(s.links) else None
    if not href:
        return dot
    tip = escape(_("%(series)s from %(day)s: %(share)s — open the jobs", series=s.label, day=day.strftime("%m-%d"),
                   share=f"{s.points[i]:.0%}"))
    return (f'<a href="{escape(href)}" class="trend-point"><title>{tip}</title>'
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="8" fill="transparent"/>{dot}</a>')
