"""The time rules of one technician's route, written once: when each stop can start given the
arrival, its time windows, the shift and the breaks. `schedule` (ETAs) and `insertion` (live
insertion) both time routes with `timeline`; the compiled SISR kernel keeps its own copy for speed
(breaks excluded), checked against this one by tests/unit/routing/test_timing.py.

The rules, on plain integers (seconds):

- The technician leaves the start at shift.start. Gap g is the leg into stop g (gap n: the way to
  the end; an open route's last gap has no travel).
- A break placed in gap g starts as soon as both the technician (free after the previous stop) and
  its window allow, and must start by `Break.latest_start`; the technician may drive during the
  idle time before it, so arrival = departure + idle + breaks + what is left of the travel.
- Service starts at the arrival, or later at the start of the first allowed interval (`bounds`,
  e.g. `Visit.start_bounds()`) not already over; none left: infeasible. `()` = any time.
- Every service ends, and the route ends, by shift.end.
- A deadline is soft: `lateness` = seconds the service starts after it.
"""
from __future__ import annotations

from bisect import bisect_right
from itertools import combinations_with_replacement
from typing import NamedTuple, Sequence

from .model import Break, TimeWindow

Bounds = tuple[tuple[int, int], ...]  # allowed service-start intervals, in order; () = any time


class Timeline(NamedTuple):
    arrivals: list[int]  # per stop: at the door and free (after travel and any break on the way)
    starts: list[int]  # per stop: service start
    break_starts: list[int]  # per break, in the order given
    end: int  # when the route is over: arrival at the end (or back before breaks taken after that)
    breaks_after_end: bool  # the breaks of the last gap all start once the technician is back
    late: int  # total lateness of the stops


# Builds a Timeline without NamedTuple's own (Python-level) __new__: `timeline` is live insertion's
# innermost call.
_timeline = tuple.__new__


def lateness(start: int, deadline: int | None) -> int:
    return start - deadline if deadline is not None and start > deadline else 0


def service_start(ready: int, bounds: Bounds) -> int | None:
    """When service starts for an arrival at `ready`: then, or at the start of the first allowed
    interval not already over; None when none is left. (`timeline` keeps this inline: it is the
    innermost loop.)"""
    for lo, hi in bounds:
        if ready <= hi:
            return lo if lo > ready else ready
    return None if bounds else ready


def timeline(shift: TimeWindow, breaks: Sequence[Break], gaps: Sequence[int], travels: Sequence[int],
             services: Sequence[int], bounds: Sequence[Bounds], deadlines: Sequence[int | None]) -> Timeline | None:
    """Earliest times of stops with `services`, `bounds` and `deadlines`, `travels[g]` driven in
    gap g (a missing last entry = 0), and breaks[i] taken in gap gaps[i] (gaps non-decreasing);
    None when infeasible."""
    n = len(services)
    nt = len(travels)
    now = shift.start
    shift_end = shift.end
    nb = len(gaps)
    b = 0
    late = 0
    arrivals = [0] * n
    starts = [0] * n
    break_starts: list[int] = []
    for g in range(n + 1):
        travel = travels[g] if g < nt else 0
        if b < nb and gaps[b] == g:
            cur, idle, first = now, 0, b
            while b < nb and gaps[b] == g:
                brk = breaks[b]
                window = brk.window
                bs = cur if cur > window.start else window.start
                if bs > window.end - brk.duration:
                    return None
                break_starts.append(bs)
                idle += bs - cur
                cur = bs + brk.duration
                b += 1
            ready = cur + (travel - idle if travel > idle else 0)
        else:
            first = b
            ready = now + travel
        if g == n:
            if ready > shift_end:
                return None
            home = now + travel
            after = b > first and break_starts[first] >= home  # they start in order, so all of them
            return _timeline(Timeline, (arrivals, starts, break_starts, home if after else ready, after, late))
        start = ready
        bnd = bounds[g]
        if bnd:
            for lo, hi in bnd:
                if ready <= hi:
                    if lo > ready:
                        start = lo
                    break
            else:
                return None
        now = start + services[g]
        if now > shift_end:
            return None
        arrivals[g] = ready
        starts[g] = start
        dl = deadlines[g]
        if dl is not None and start > dl:
            late += start - dl
    return None  # not reached: the last gap returns


def best_break_gaps(shift: TimeWindow, breaks: Sequence[Break], travels: Sequence[int], services: Sequence[int],
                    bounds: Sequence[Bounds], deadlines: Sequence[int | None], *, any_on_time: bool = False
                    ) -> tuple[tuple[int, ...], Timeline] | None:
    """The break placement (gap per break, non-decreasing) with the least lateness, then the
    earliest end, the first such in order; None when no placement is feasible. With
    `any_on_time`, the first placement without lateness is taken as soon as it is found: the same
    lateness (none), for callers that only need that."""
    if not breaks:
        found = timeline(shift, breaks, (), travels, services, bounds, deadlines)
        return None if found is None else ((), found)
    # A break only delays what follows it, so a placement is infeasible when the route is without
    # breaks, or when a break's gap comes after the route, taken without breaks, is already past the
    # latest start of that break: those placements are not timed.
    free = timeline(shift, (), (), travels, services, bounds, deadlines)
    if free is None:
        return None
    starts = free.starts
    leaves = [shift.start] + [starts[g] + services[g] for g in range(len(services))]
    ends = [bisect_right(leaves, brk.window.end - brk.duration) for brk in breaks]  # gaps before: maybe
    if len(breaks) == 1:
        placements = ((g,) for g in range(ends[0]))
    else:
        placements = (gaps for gaps in combinations_with_replacement(range(max(ends)), len(breaks))
                      if all(g < e for g, e in zip(gaps, ends)))
    best = best_key = None
    for gaps in placements:
        found = timeline(shift, breaks, gaps, travels, services, bounds, deadlines)
        if found is None:
            continue
        if any_on_time and found.late == 0:
            return gaps, found
        key = (found.late, found.end)
        if best_key is None or key < best_key:
            best, best_key = (gaps, found), key
    return best
