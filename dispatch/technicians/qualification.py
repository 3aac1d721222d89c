"""Who may be sent to which appliance: a skill counts for dispatch on a day only at the model's
minimum level and while its certification is valid (an expired certificate is not a qualification)."""
from __future__ import annotations

from datetime import date

from dispatch.technicians.models import Technician, TechnicianSkill


def certified_on(skill: TechnicianSkill, day: date) -> bool:
    """`certified_until` is the last valid day; None means the certification does not expire."""
    return skill.certified_until is None or skill.certified_until >= day


def skills_on(technician: Technician, day: date) -> dict[str, int]:
    """skill -> level of the technician's skills that may be dispatched on `day`."""
    return {s.skill: s.level for s in technician.skills if certified_on(s, day)}


def qualifies(technician: Technician, *, skill: str, min_level: int, day: date) -> bool:
    return skills_on(technician, day).get(skill, 0) >= min_level
