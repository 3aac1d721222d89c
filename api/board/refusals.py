"""The planning refusals (dispatch/planning, which another change is reworking) in the page's language.

Their messages are still built in English inside dispatch/planning; until that package words them
through core.i18n itself, the board reads the few known shapes back into their parts and says them
with the catalogue. An unknown shape is shown as it is rather than hidden."""
from __future__ import annotations

import re

from api.labels import N_, label
from core.i18n import DEFAULT_LOCALE, current_locale
from core.i18n import gettext as _
from dispatch.jobs.status import status_name

_SHAPES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Job (?P<number>\S+) is not in anyone's route, so there is nothing to lock\.$"),
     N_("Job %(number)s is not in anyone's route, so there is nothing to lock.")),
    (re.compile(r"Job (?P<number>\S+) is already under way \((?P<job_status>\w+)\); it cannot move\.$"),
     N_("Job %(number)s is already under way (%(job_status)s); it cannot move.")),
    (re.compile(r"(?P<technician>.+) does not have the '(?P<skill>[^']+)' skill this job needs\.$"),
     N_("%(technician)s does not have the '%(skill)s' skill this job needs.")),
    (re.compile(r"(?P<technician>.+) has no room for job (?P<number>\S+) before its repair deadline: "
                r"(?P<reason>.*)\.$", re.DOTALL),
     N_("%(technician)s has no room for job %(number)s before its repair deadline: %(reason)s.")),
    (re.compile(r"Job (?P<number>\S+) can be planned from (?P<first>\S+) to (?P<last>\S+); (?P<day>\S+) is outside\.$"),
     N_("Job %(number)s can be planned from %(first)s to %(last)s; %(day)s is outside.")),
    (re.compile(r"Job (?P<number>\S+)'s appliance is in no service region\.$"),
     N_("Job %(number)s's appliance is in no service region.")),
    (re.compile(r"Plan (?P<id>\d+) is (?P<plan_status>\w+); only a finished plan can be applied\.$"),
     N_("Plan %(id)s is %(plan_status)s; only a finished plan can be applied.")),
    (re.compile(r"The routes of (?P<region>\S+) on (?P<day>\S+) changed after plan (?P<id>\d+) was computed; "
                r"request a new plan\.$"),
     N_("The routes of %(region)s on %(day)s changed after plan %(id)s was computed; request a new plan.")),
]


def planning_refusal(error: Exception) -> str:
    text = str(error)
    if current_locale() == DEFAULT_LOCALE:
        return text  # the message was written in English: it is already what an English reader sees
    for pattern, message in _SHAPES:
        if match := pattern.match(text):
            parts = match.groupdict()
            if "job_status" in parts:
                parts["job_status"] = status_name(parts["job_status"])
            if "plan_status" in parts:
                parts["plan_status"] = label("plan_status", parts["plan_status"])
            return _(message, **parts)
    return text
