"""Why a customer is entitled to what they are, said in the reader's language.

An entitlement is decided once and stored as a reason code with its facts (Job.entitlement_facts);
the words are made only when somebody reads them, through the gettext catalogue, so a Chinese page
never shows an English reason and the texts live in one place.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from core.i18n import N_
from core.i18n import gettext as _
from dispatch.catalog.models import normalise_component

# code -> msgid. The facts each code carries are the %(name)s placeholders of its text.
REASON_TEXTS = {
    "no_purchase_date": N_("No purchase date is on record, so the repair is chargeable unless a proof of "
                           "purchase is shown."),
    "within_return": N_("Reported %(days)s day(s) after purchase, within the %(limit)s-day return period: "
                        "a full refund is available."),
    "within_exchange": N_("Reported %(days)s day(s) after purchase, within the %(limit)s-day exchange period: "
                          "the unit can be exchanged for a new one."),
    "under_warranty": N_("Under the %(months)s-month warranty until %(until)s: parts and labour are free."),
    "exchange_passed_under_warranty": N_("The %(limit)s-day exchange period has passed. Under the %(months)s-month "
                                         "warranty until %(until)s: parts and labour are free."),
    "warranty_ended": N_("The %(months)s-month warranty ended on %(until)s: the repair is chargeable; a quote is "
                         "given before any work."),
    "component_under_warranty": N_("The %(component)s is covered for %(months)s months, until %(until)s: parts "
                                   "and labour are free."),
    "component_warranty_ended": N_("The %(months)s-month cover of the %(component)s ended on %(until)s: the repair "
                                   "is chargeable; a quote is given before any work."),
    # An agent accepted a proof of purchase after the report; the verdict it led to is a reason of its own.
    "receipt_accepted": N_("A proof of purchase dated %(purchased)s was accepted. %(verdict)s"),
    "repeat_repair": N_("This fault has already been repaired %(repairs)s time(s) within the %(months)s-month "
                        "warranty (until %(until)s), the limit is %(limit)s: you may choose an exchange or a "
                        "refund."),
}

# Component keys (dispatch.intake.faults) -> msgids of their names: a reason says whose term applied.
COMPONENT_NAMES = {
    "compressor": N_("compressor"),
    "motor": N_("motor"),
    "heating element": N_("heating element"),
    "control board": N_("control board"),
    "magnetron": N_("magnetron"),
    "pump": N_("pump"),
    "display": N_("display"),
    "fan": N_("fan"),
    "thermostat": N_("thermostat"),
    "door seal": N_("door seal"),
}

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def placeholders(code: str) -> set[str]:
    """The facts the text of `code` needs."""
    return set(_PLACEHOLDER.findall(REASON_TEXTS[code]))


def component_name(component: str) -> str:
    """A component key in the reader's language (a key without a known name is shown as written)."""
    name = COMPONENT_NAMES.get(normalise_component(component))
    return _(name) if name is not None else component


def explain(code: str, facts: Mapping | None = None) -> str:
    """The reason for `code` with its `facts`, in the current language (core.i18n.use_locale).

    Stored facts outlive code changes, so a missing fact shows as "?" rather than failing the page,
    and an unknown code (a reason written by a later version, or by hand) gets a neutral text."""
    if code not in REASON_TEXTS:
        return _("The entitlement was decided by an agent; the job's history has the details.")
    facts = dict(facts or {})
    if "component" in facts:
        facts["component"] = component_name(str(facts["component"]))
    if isinstance(facts.get("verdict"), Mapping):
        facts["verdict"] = explain(str(facts["verdict"].get("code", "")), facts["verdict"])
    values = {name: facts.get(name, "?") for name in placeholders(code)}
    return _(REASON_TEXTS[code], **values)
