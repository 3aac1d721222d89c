"""The job status state machine: which moves are allowed, and the refusal when one is not."""
from __future__ import annotations

import enum

from core.i18n import gettext as _


class JobStatus(enum.StrEnum):
    REPORTED = "reported"
    TRIAGED = "triaged"
    ASSIGNED = "assigned"
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    WAITING_PARTS = "waiting_parts"
    COMPLETED = "completed"
    CLOSED = "closed"
    REMOTE_RESOLVED = "remote_resolved"
    CANCELLED = "cancelled"


S = JobStatus
ALLOWED_TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    S.REPORTED: frozenset({S.TRIAGED, S.REMOTE_RESOLVED, S.CANCELLED}),
    # Waiting for parts before any visit: a part known to be needed is on its way.
    S.TRIAGED: frozenset({S.ASSIGNED, S.WAITING_PARTS, S.REMOTE_RESOLVED, S.CANCELLED}),
    # Back to triaged = unassigned (a dispatcher takes the job off a technician).
    S.ASSIGNED: frozenset({S.EN_ROUTE, S.TRIAGED, S.WAITING_PARTS, S.CANCELLED}),
    S.EN_ROUTE: frozenset({S.ON_SITE, S.ASSIGNED, S.CANCELLED}),
    S.ON_SITE: frozenset({S.WAITING_PARTS, S.COMPLETED}),
    # A part arrives: the visit is planned again, or the technician never left the site.
    S.WAITING_PARTS: frozenset({S.ASSIGNED, S.ON_SITE, S.CANCELLED}),
    # A failed callback reopens the case to its owner: back to triaged.
    S.COMPLETED: frozenset({S.CLOSED, S.TRIAGED}),
    S.REMOTE_RESOLVED: frozenset({S.CLOSED, S.TRIAGED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}

# While a job is in one of these, a new report on its asset joins it instead of opening another.
OPEN_STATUSES = frozenset({S.REPORTED, S.TRIAGED, S.ASSIGNED, S.EN_ROUTE, S.ON_SITE, S.WAITING_PARTS})


def N_(message: str) -> str:
    return message


# A status as refusals name it: its code, which is what an API client sends and so what English
# readers are shown; the catalogue gives each code its Chinese name.
STATUS_NAMES = {S.REPORTED: N_("reported"), S.TRIAGED: N_("triaged"), S.ASSIGNED: N_("assigned"),
                S.EN_ROUTE: N_("en_route"), S.ON_SITE: N_("on_site"), S.WAITING_PARTS: N_("waiting_parts"),
                S.COMPLETED: N_("completed"), S.CLOSED: N_("closed"), S.REMOTE_RESOLVED: N_("remote_resolved"),
                S.CANCELLED: N_("cancelled")}


def status_name(status: JobStatus | str) -> str:
    """The status in the current language, for a refusal's text."""
    try:
        return _(STATUS_NAMES[JobStatus(status)])
    except ValueError:
        return str(status)


class InvalidTransition(Exception):
    def __init__(self, current: JobStatus, requested: JobStatus):
        self.current, self.requested = current, requested
        self.allowed = sorted(ALLOWED_TRANSITIONS[current])
        allowed = ", ".join(status_name(s) for s in self.allowed) or _("none: the job is finished")
        super().__init__(_("A job that is %(current)s cannot become %(requested)s (allowed: %(allowed)s).",
                           current=status_name(current), requested=status_name(requested), allowed=allowed))


def check_transition(current: JobStatus, requested: JobStatus) -> None:
    if requested not in ALLOWED_TRANSITIONS[current]:
        raise InvalidTransition(current, requested)


# Statuses in which a job holds a place in a technician's route.
ROUTED_STATUSES = frozenset({JobStatus.ASSIGNED, JobStatus.EN_ROUTE, JobStatus.ON_SITE})
# Work under way cannot move: its technician and its place in the day are fixed.
STARTED_STATUSES = frozenset({JobStatus.EN_ROUTE, JobStatus.ON_SITE})
