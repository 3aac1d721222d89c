"""The service dashboard as the manager's page shows it: the headline numbers beside the previous
period's, links from each number to the jobs behind it, and the per-region or per-technician table
(on the page and as CSV)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import url_for
from flask_babel import gettext as _

from care.dashboard import Dashboard, GroupScore, period_bounds
from care.drilldown import Group
from care.kpis import CYCLE_START, CYCLE_TARGET

VIEWS = ("regions", "technicians")
MAX_IDS = 50
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
utc_bounds = period_bounds


class BadFilter(ValueError):
    pass


def drill_links(period: dict[str, str]):
    """url(what, kind=None, ids=None, **more): the drill-down of a number of this period."""
    def url(what: str, kind: str | None = None, ids=None, period=period, **more) -> str:
        args = {"what": what, "from": period["from"], "to": period["to"], **more}
        if kind:
            args[kind] = ["none" if i is None else i for i in ids]
        return url_for("care.dashboard_jobs", **args)
    return url


def trend_buckets(board: Dashboard) -> list[tuple[date, date]]:
    """Each trend point's days (first and last, inclusive): up to the next point, the last to the period's end."""
    starts = [p.start for p in board.trend]
    ends = [later - timedelta(days=1) for later in starts[1:]] + [board.end]
    return list(zip(starts, ends, strict=True))


def group_asked(args) -> Group:
    found = {}
    for kind in ("regions", "technicians", "models", "parts"):
        raw = args.getlist(kind)
        if not raw:
            continue
        if len(raw) > MAX_IDS:
            raise BadFilter(_("A row of the dashboard has at most %(n)s groups.", n=MAX_IDS))
        ids = []
        for value in raw:
            if kind == "regions" and value == "none":
                ids.append(None)
            elif value.isdigit() and len(value) <= 9:
                ids.append(int(value))
            else:
                raise BadFilter(_("'%(value)s' is not a row of the dashboard.", value=value[:20]))
        found[kind] = ids
    return Group(**found)


def title_of(what: str) -> str:
    titles = {
        "jobs": _("Jobs reported"), "response": _("Jobs whose response clock is counted"),
        "response_kept": _("Responded in time"), "response_missed": _("Late response"),
        "repair": _("Jobs whose repair clock is counted"), "repair_kept": _("Repaired in time"),
        "repair_missed": _("Late repair"), "answered": _("Survey answers"), "satisfied": _("Satisfied answers"),
        "low": _("Low scores"), "faults": _("Fault reports"), "fault_repeats": _("Repeat fault reports"),
        "breaches": _("SLA breaches"), "ftf_counted": _("Visits fixed (counted for first-time fix)"),
        "ftf_fixed": _("Fixed first time"), "ftf_missed": _("Not fixed first time"), "visits": _("Visits"),
        "repeat_visits": _("Repeat visits within 30 days"), "cycle": _("Repairs (counted for the cycle time)"),
        "cycle_over_target": _("Repairs over the cycle-time target"),
        "parts_counted": _("Visits that needed a part"), "parts_available": _("Part at hand at the first visit"),
        "parts_missing": _("Waited for a part after arriving"), "on_site": _("Jobs with time on site"),
    }
    return titles.get(what, what)


@dataclass
class Headline:
    key: str
    label: str
    value: str
    state: str = ""  # hit, miss or nothing: against the target
    parts: list[tuple[str, str, str]] = field(default_factory=list)  # (text before, number, url)
    note: str = ""
    previous: str | None = None
    previous_url: str | None = None
    change: str | None = None
    better: bool | None = None


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f} %"


def _change_points(now: float | None, before: float | None, *, higher_is_better: bool = True):
    if now is None or before is None:
        return None, None
    delta = (now - before) * 100
    return _("%(delta)s pts", delta=f"{delta:+.1f}"), None if abs(delta) < 0.05 else (delta > 0) == higher_is_better


def _hours(value: float | None) -> str:
    if value is None:
        return "—"
    return _("%(days)s days", days=f"{value / 24:.1f}") if value >= 48 else _("%(hours)s h", hours=f"{value:.1f}")


def headlines(board: Dashboard, drill) -> list[Headline]:
    before = board.previous
    previous_period = {"from": before.start.isoformat(), "to": before.end.isoformat()} if before else None
    found = []

    def compare(item: Headline, now, then, what: str, *, text, higher_is_better=True, points=True):
        if before is None:
            return
        item.previous, item.previous_url = text(then), drill(what, period=previous_period)
        if points:
            item.change, item.better = _change_points(now, then, higher_is_better=higher_is_better)
        elif now is not None and then is not None:
            delta = now - then
            item.change = _("%(hours)s h", hours=f"{delta:+.1f}") if isinstance(delta, float) else f"{delta:+d}"
            item.better = None if not delta else (delta > 0) == higher_is_better

    for n, metric in enumerate(board.metrics):
        counted, kept, missed = {"response": ("response", "response_kept", "response_missed"),
                                 "repair": ("repair", "repair_kept", "repair_missed"),
                                 "satisfaction": ("answered", "satisfied", None)}[metric.key]
        item = Headline(metric.key, metric.label, _pct(metric.rate.share),
                        "hit" if metric.on_target else ("miss" if metric.on_target is False else ""),
                        [("", str(metric.rate.hit), drill(kept)), (" / ", str(metric.rate.total), drill(counted))],
                        _("target %(target)s %%", target=f"{metric.target * 100:.0f}"))
        if missed:
            item.parts.append((" · " + _("missed") + " ", str(metric.rate.total - metric.rate.hit), drill(missed)))
        if before:
            compare(item, metric.rate.share, before.metrics[n].rate.share, counted, text=_pct)
        found.append(item)

    kpis = board.kpis
    if kpis is None:
        return found
    then = before.kpis if before else None
    ftf = Headline("first_time_fix", _("First-time fix"), _pct(kpis.first_time_fix.share), "",
                   [("", str(kpis.first_time_fix.hit), drill("ftf_fixed")),
                    (" / ", str(kpis.first_time_fix.total), drill("ftf_counted")),
                    (" · " + _("not") + " ", str(kpis.first_time_fix.total - kpis.first_time_fix.hit),
                     drill("ftf_missed"))],
                   _("one visit, no new visit within 30 days"))
    compare(ftf, kpis.first_time_fix.share, then and then.first_time_fix.share, "ftf_counted", text=_pct)
    repeat = Headline("repeat_visits", _("Repeat visits within 30 days"), str(kpis.repeat_visits.hit), "",
                      [("", str(kpis.repeat_visits.hit), drill("repeat_visits")),
                       (" / ", str(kpis.repeat_visits.total), drill("visits"))],
                      _("%(share)s of the visits", share=_pct(kpis.repeat_visits.share)))
    compare(repeat, kpis.repeat_visits.hit, then and then.repeat_visits.hit, "repeat_visits",
            text=str, higher_is_better=False, points=False)
    on_target = None if kpis.cycle_mean_hours is None else kpis.cycle_mean_hours <= kpis.cycle_target_hours
    cycle = Headline("cycle", _("Repair cycle (report to fix, mean)"), _hours(kpis.cycle_mean_hours),
                     "hit" if on_target else ("miss" if on_target is False else ""),
                     [(_("repairs") + " ", str(kpis.cycle_jobs), drill("cycle")),
                      (" · " + _("over target") + " ", str(kpis.cycle_over_target), drill("cycle_over_target"))],
                     _("target %(target)s days (from %(start)s)", target=CYCLE_TARGET.days, start=CYCLE_START.days))
    compare(cycle, kpis.cycle_mean_hours, then and then.cycle_mean_hours, "cycle", text=_hours,
            higher_is_better=False, points=False)
    use = kpis.utilisation
    utilisation = Headline("utilisation", _("Technician utilisation"), _pct(use.share), "",
                           [(_("on site") + " ", _("%(hours)s h", hours=f"{use.on_job_minutes / 60:.0f}"),
                             drill("on_site")),
                            (" / " + _("on shift") + " ", _("%(hours)s h", hours=f"{use.shift_minutes / 60:.0f}"), "")],
                           _("time on site over shift time"))
    compare(utilisation, use.share, then and then.utilisation.share, "on_site", text=_pct)
    parts = Headline("parts_at_first_visit", _("Part at hand at the first visit"), _pct(kpis.parts_at_first_visit.share),
                     "", [("", str(kpis.parts_at_first_visit.hit), drill("parts_available")),
                          (" / ", str(kpis.parts_at_first_visit.total), drill("parts_counted")),
                          (" · " + _("waited") + " ",
                           str(kpis.parts_at_first_visit.total - kpis.parts_at_first_visit.hit),
                           drill("parts_missing"))],
                     _("of the visits that needed a part"))
    compare(parts, kpis.parts_at_first_visit.share, then and then.parts_at_first_visit.share, "parts_counted",
            text=_pct)
    return found + [ftf, repeat, cycle, utilisation, parts]


@dataclass(frozen=True)
class Table:
    view: str
    kind: str   # the drill-down's group argument
    header: list[str]
    rows: list[tuple[GroupScore, list]]  # the row's groups, and its cells after the name


def table(board: Dashboard, view: str) -> Table:
    header = [_("Region") if view == "regions" else _("Technician"), _("Jobs"), _("Late response"),
              _("Late repair"), _("Low scores"), _("Answers"), _("Satisfied (%)")]
    scores = board.regions if view == "regions" else board.technicians
    use = board.kpis.utilisation.by_technician if board.kpis else {}
    if view == "technicians":
        header += [_("Hours on site"), _("Hours on shift"), _("Utilisation (%)")]
    rows = []
    for score in scores:
        cells = [score.jobs, score.response_missed, score.repair_missed, score.low_scores, score.answers,
                 "" if score.satisfaction is None else round(score.satisfaction * 100, 1)]
        if view == "technicians":
            on_job = sum(use.get(i, (0, 0))[0] for i in score.ids)
            on_shift = sum(use.get(i, (0, 0))[1] for i in score.ids)
            cells += [round(on_job / 60, 1), round(on_shift / 60, 1),
                      round(on_job / on_shift * 100, 1) if on_shift else ""]
        rows.append((score, cells))
    return Table(view=view, kind=view, header=header, rows=rows)


def _safe(cell) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(shown: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_safe(h) for h in shown.header])
    for score, cells in shown.rows:
        writer.writerow([_safe(score.name), *(_safe(c) for c in cells)])
    # The byte-order mark is how Excel knows the file is UTF-8 (Chinese names stay readable).
    return ("\ufeff" + out.getvalue()).encode("utf-8")
