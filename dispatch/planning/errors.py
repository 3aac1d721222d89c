"""Refusals of planning: plans not ready or stale, and dispatcher moves that cannot be made."""
from __future__ import annotations


class PlanNotReady(Exception):
    pass


class PlanStale(Exception):
    """The routes changed after the plan was computed; solve again before applying."""


class CannotMove(Exception):
    """The job cannot go where the dispatcher asked (skill, shift, started work, or no room)."""


class NotPlanned(Exception):
    pass


class PlanBreaksWindows(PlanStale):
    """The plan would drop a job with a confirmed appointment window, or arrive outside it: like a stale
    plan, it can never be applied."""
