"""Why a job waits, why it was escalated, what the system did to it: said in the reader's language.

The English text is still written when it happens (the API and rows older than the codes show it);
beside it a reason code and its facts are stored (Job.dispatch_note_code/_facts,
Escalation.reason_code/_facts, JobEvent.note_code/_facts), and pages make the words from them
through the gettext catalogue, so a Chinese page never shows an English reason.

A fact may itself be a reason ({"code": ..., **facts}) or a list of them; it is explained in turn
(a list is joined with "; "), which is how "no place before the deadline" carries each day's cause.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from core import reasons as core_reasons
from core.i18n import N_
from inventory import reasons as inventory_reasons

# code -> msgid. The facts each code carries are the %(name)s placeholders of its text; the English
# msgid is exactly the text written at the time, so an English page reads the same either way.
REASON_TEXTS = {
    # Why a part is sourced the way it is (inventory.sourcing) and the other order reasons.
    **inventory_reasons.REASON_TEXTS,
    # A job nobody can be planned for (dispatch.planning.assignment): the note, the escalation and the event.
    "no_skill_in_region": N_("no technician in the region has the '%(skill)s' skill with a valid certification"),
    "no_skill_level_in_region": N_("no technician in the region has the '%(skill)s' skill at level %(level)s or "
                                   "above with a valid certification"),
    "no_place_before_deadline": N_("no qualified technician can reach it before the repair deadline (%(days)s)"),
    # One day's cause inside "no_place_before_deadline".
    "day_nobody_working": N_("%(day)s: nobody qualified is working"),
    "day_no_skill": N_("%(day)s: no technician has the skill '%(skill)s'"),
    "day_no_skill_level": N_("%(day)s: no technician has the skill '%(skill)s' at level %(level)s or above"),
    "day_no_part": N_("%(day)s: no depot and no qualified technician's van holds %(parts)s"),
    "day_full": N_("%(day)s: every qualified technician is full (visit or capacity limit)"),
    "day_unreachable": N_("%(day)s: no qualified technician can reach it within its time windows and shift"),
    "day_no_room": N_("%(day)s: no qualified technician has room for it in the time available"),
    "day_late": N_("%(day)s: the earliest place would miss the repair deadline"),
    # A job a re-optimisation plan leaves out (dispatch.planning.services.plan_summary, from the routing
    # result's Unassigned.code).
    "left_out_no_skill": N_("no technician has the skill '%(skill)s'"),
    "left_out_no_skill_level": N_("no technician has the skill '%(skill)s' at level %(level)s or above"),
    "left_out_also_skills": N_("%(why)s (and %(skills)s)"),
    "left_out_no_part": N_("no depot and no qualified technician's van holds %(parts)s"),
    "left_out_unreachable": N_("no qualified technician can reach it within its time windows and shift"),
    "left_out_no_capacity": N_("not enough capacity in the time available"),
    "left_out_pinned_unknown": N_("pinned to unknown technician '%(technician)s'"),
    "left_out_pinned_lacks_skill": N_("pinned technician %(technician)s lacks the skill '%(skill)s'"),
    "left_out_pinned_unreachable": N_("pinned technician %(technician)s cannot reach it within its time windows "
                                      "and shift"),
    # A job taken out of a day (dispatch.planning.services.unplace_job).
    "moved_by": N_("moved by %(actor)s"),
    "left_out_by_plan": N_("left out by re-optimisation plan %(plan)s"),
    # A part that cannot come in time (dispatch.parts, inventory.sourcing).
    "part_late": N_("%(sku)s: %(why)s"),
    "awaits_approval": N_("%(why)s; %(order)s waits for a manager's approval (total %(total)s)"),
    "cancelled_sourced_again": N_("%(order)s was cancelled; sourced again: %(why)s"),
    "cancelled_nothing_else": N_("%(order)s was cancelled; nothing else can bring it: %(why)s"),
    # A follow-up call the care desk makes (care.callbacks).
    "check_in": N_("%(days)s-day check-in after the %(category)s on %(model)s: is everything still working?"),
    "survey_unanswered": N_("No answer to the survey for job %(number)s within %(hours)s h: call %(name)s on "
                            "%(phone)s and ask how the job went."),
    # A low survey answer (care.surveys): the event note, the follow-up tasks, and the answer they quote.
    "reopened_by_survey": N_("Reopened by the callback survey: %(summary)s"),
    "case_reopened_visit": N_("The customer's answer reopened job %(number)s: %(summary)s. A follow-up visit is "
                              "being planned; keep the customer informed."),
    "case_reopened_call": N_("The customer's answer reopened job %(number)s: %(summary)s. Their supervisor will "
                             "call them; follow the case to closure."),
    "supervisor_call": N_("Call %(name)s (%(phone)s) in person about job %(number)s: %(summary)s."),
    "supervisor_review": N_("The repair of job %(number)s did not hold: %(summary)s. Check the follow-up visit "
                            "and whether the model has a recurring fault."),
    "survey_rated": N_("rated %(rating)s/5"),
    "survey_fixed": N_("fixed"),
    "survey_not_fixed": N_("NOT fixed"),
    "survey_problems": N_("problems: %(areas)s"),
    "survey_comment": N_("\"%(comment)s\""),
    "area_product": N_("the product"),
    "area_punctuality": N_("punctuality"),
    "area_attitude": N_("attitude"),
    "area_communication": N_("communication"),
    # What the system did to a job (event notes).
    "office_override": N_("[office override by %(actor)s: %(reason)s]"),
    "office_override_with_note": N_("%(note)s\n[office override by %(actor)s: %(reason)s]"),
    "order_approved_expected": N_("%(order)s approved by %(manager)s; expected %(expected)s"),
    "live_insertion": N_("live insertion"),
    "made_room_for": N_("made room for %(job)s"),
    "window_chosen": N_("appointment window %(day)s %(start)s–%(end)s (local time)"),
    "window_changed": N_("appointment window changed to %(day)s %(start)s–%(end)s (local time)"),
    "reoptimisation_plan": N_("re-optimisation plan %(plan)s"),
    "classified_and_accepted": N_("classified and accepted"),
    "assigned_to": N_("assigned to %(technician)s"),
    "part_needed": N_("a part is needed"),
    "reserved_at": N_("%(quantity)s × %(sku)s reserved at %(warehouse)s"),
    "ready_at": N_("%(sku)s is ready at %(warehouse)s"),
    "arrived_at": N_("%(quantity)s × %(sku)s arrived at %(warehouse)s (%(order)s)"),
    "not_in_stock_nearby": N_("%(quantity)s × %(sku)s not in stock nearby: %(why)s"),
    "not_in_stock_nearby_expected": N_("%(quantity)s × %(sku)s not in stock nearby: %(why)s, expected %(expected)s"),
    "part_line": N_("%(quantity)s × %(sku)s: %(why)s"),
    # An SLA clock running out (care.sla_watch): the warning or breach, and what stands in the way.
    "sla_warning": N_("%(clock)s SLA at %(share)s %%: %(left)s left (due %(due)s); %(cause)s"),
    "sla_warning_redispatched": N_("%(clock)s SLA at %(share)s %%: %(left)s left (due %(due)s); %(cause)s; "
                                   "re-dispatch requested"),
    "sla_breach": N_("%(clock)s SLA breached (due %(due)s): %(cause)s"),
    "clock_response": N_("Response"),
    "clock_repair": N_("Repair"),
    "hours_minutes": N_("%(hours)s h %(minutes)s min"),
    "minutes": N_("%(minutes)s min"),
    "cause_unplannable": N_("nobody qualified could be planned: %(why)s"),
    "cause_no_response": N_("the report has not been reviewed or planned"),
    "cause_waiting_for_parts": N_("the job is waiting for a part"),
    "cause_unassigned_unplannable": N_("no technician assigned: %(why)s"),
    "cause_unassigned": N_("no technician assigned"),
    "cause_late_arrival": N_("the technician has not arrived in time"),
    "cause_repair_overran": N_("the technician is on site but the repair is not finished"),
    "cause_not_resolved": N_("the job is not resolved"),
    "see_escalations": N_("see escalations"),
    "nobody_qualified_in_time": N_("nobody qualified in time"),
}



typed = core_reasons.typed


def reason(code: str, **facts: Any) -> dict[str, Any]:
    """A reason as a fact of another reason: {"code": code, **facts}."""
    return core_reasons.reason(code, **facts)


def stored(code: str | None, facts: Mapping | None, text: str) -> dict[str, Any]:
    """A stored reason (a code with its facts, or only the English text of an older row) as a fact of
    another reason."""
    return {**(facts or {}), "code": code, "text": text}


def placeholders(code: str) -> set[str]:
    """The facts the text of `code` needs."""
    return core_reasons.placeholders(REASON_TEXTS, code)


def english(code: str, facts: Mapping | None = None) -> str:
    """The English text of a reason, as stored beside its code."""
    return core_reasons.english(REASON_TEXTS, code, facts)


def explain(code: str | None, facts: Mapping | None = None, fallback: str = "",
            names: Mapping[str, Callable[[str], str]] | None = None) -> str:
    """The reason `code` with its `facts`, in the current language (core.i18n.use_locale).

    `fallback` (the stored English text) is shown for a row without a code or with a code this
    version does not know. Stored facts outlive code changes, so a missing fact shows as "?".
    `names` turns a fact's value into the reader's words (the page passes the skill labels)."""
    return core_reasons.explain(REASON_TEXTS, code, facts, fallback, names)
