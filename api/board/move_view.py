"""The move page's words: why a technician cannot take the job, as the dispatcher reads it."""
from __future__ import annotations

from api.labels import N_
from core.i18n import gettext as _
from dispatch.planning import move_options as why

MOVE_PROBLEMS = {
    why.BREAKS_WINDOWS: N_("Would break a promised window: not offered."),
    why.LATE: N_("Would start after the repair deadline: dispatch does not plan a job late."),
    why.NO_ROOM: N_("No room in this day before the end of the shift."),
    why.FULL: N_("This day is full (the technician's limit of visits)."),
    why.NO_PARTS: N_("The parts cannot be there in time."),
    why.OUT_OF_REACH: N_("Cannot get there within the job's windows and the shift."),
}
EXCLUDED = {
    why.NOT_QUALIFIED: N_("not qualified for this model that day (skill, level or certification)"),
    why.NOT_WORKING: N_("not working that day"),
    why.SHIFT_OVER: N_("shift already over"),
}


def excluded_label(code: str) -> str:
    return _(EXCLUDED[code])


def chosen_option(choices, technician_id: int | None):
    """The candidate or excluded technician the dispatcher picked (a drop on their row), or None."""
    if technician_id is None:
        return None
    return next((o for o in choices.options if o.technician.id == technician_id), None) or \
        next((e for e in choices.excluded if e.technician.id == technician_id), None)
