"""Administering the workforce: a technician's profile (user, region, home base, job cap, van), skills
with level and certification expiry, weekly shifts with the lunch break, and days off. Every change is
audited (core.admin_audit) in the caller's transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from core.admin_audit import diff, record_change
from core.i18n import gettext as _
from core.regions import Region
from core.users import Role, User, create_user
from dispatch.technicians.errors import TechnicianNotFound, TechnicianRefused
from dispatch.technicians.models import Technician, TechnicianDayOff, TechnicianShift, TechnicianSkill
from inventory.models import Warehouse, WarehouseKind

MAX_JOBS_PER_DAY = 50
SKILL_LEVELS = (1, 2, 3)


@dataclass(frozen=True)
class Skill:
    skill: str
    level: int = 2
    certified_until: date | None = None


@dataclass(frozen=True)
class Shift:
    """Working hours on one weekday (0 = Monday), local time; a lunch break of `break_minutes`
    somewhere between `break_earliest` and `break_latest_end`, or none."""
    weekday: int
    start: time
    end: time
    break_minutes: int = 0
    break_earliest: time | None = None
    break_latest_end: time | None = None


@dataclass(frozen=True)
class DayOff:
    day: date
    reason: str = ""


@dataclass
class NewUser:
    """The account to create with the profile, when the technician has none yet."""
    display_name: str
    password: str


def technician_by_id(session: Session, technician_id: int) -> Technician:
    technician = session.get(Technician, technician_id)
    if technician is None:
        raise TechnicianNotFound(_("No technician %(id)s.", id=technician_id))
    return technician


def _region(session: Session, code: str) -> Region:
    region = session.scalar(select(Region).where(Region.code == code))
    if region is None:
        raise TechnicianRefused(_("No region %(code)s.", code=code), field="region")
    return region


def _van(session: Session, code: str | None, technician: Technician | None) -> Warehouse | None:
    if code is None:
        return None
    van = session.scalar(select(Warehouse).where(Warehouse.code == code))
    if van is None:
        raise TechnicianRefused(_("No warehouse %(code)s.", code=code), field="van")
    if van.kind != WarehouseKind.VAN:
        raise TechnicianRefused(_("%(code)s is not a van.", code=code), field="van")
    holder = session.scalar(select(Technician).where(Technician.van_warehouse_id == van.id))
    if holder is not None and holder is not technician:
        raise TechnicianRefused(_("The van %(code)s already belongs to %(name)s.", code=code,
                                  name=holder.user.display_name), field="van", conflict=True)
    return van


def _check_skills(skills: list[Skill]) -> None:
    names = [s.skill for s in skills]
    if len(names) != len(set(names)):
        raise TechnicianRefused(_("Each skill may be listed once."), field="skills")
    for skill in skills:
        if skill.level not in SKILL_LEVELS:
            raise TechnicianRefused(_("A skill level is 1 (trainee), 2 (qualified) or 3 (expert)."), field="skills")


def _check_shifts(shifts: list[Shift]) -> None:
    days = [s.weekday for s in shifts]
    if len(days) != len(set(days)):
        raise TechnicianRefused(_("Each weekday may have one shift."), field="shifts")
    for shift in shifts:
        if not 0 <= shift.weekday <= 6:
            raise TechnicianRefused(_("Weekdays run from 0 (Monday) to 6 (Sunday)."), field="shifts")
        if shift.end <= shift.start:
            raise TechnicianRefused(_("A shift must end after it starts."), field="shifts",
                                    weekday=shift.weekday)
        if shift.break_minutes:
            earliest, latest = shift.break_earliest, shift.break_latest_end
            if earliest is None or latest is None:
                raise TechnicianRefused(_("A lunch break needs the window it is taken in."), field="shifts",
                                    weekday=shift.weekday)
            if not shift.start <= earliest < latest <= shift.end:
                raise TechnicianRefused(_("The lunch break window must lie inside the shift."), field="shifts",
                                    weekday=shift.weekday)
            window = (latest.hour * 60 + latest.minute) - (earliest.hour * 60 + earliest.minute)
            if shift.break_minutes > window:
                raise TechnicianRefused(_("The lunch break is longer than its window."), field="shifts",
                                    weekday=shift.weekday)


def _check_days_off(days_off: list[DayOff]) -> None:
    days = [d.day for d in days_off]
    if len(days) != len(set(days)):
        raise TechnicianRefused(_("Each day off may be listed once."), field="days_off")


def _check_cap(cap: int) -> None:
    if not 1 <= cap <= MAX_JOBS_PER_DAY:
        raise TechnicianRefused(_("The daily job cap is from 1 to %(n)s.", n=MAX_JOBS_PER_DAY),
                                field="daily_job_cap")


def _facts(technician: Technician) -> dict:
    return {
        "user": technician.user.username, "region": technician.region.code,
        "home_address": technician.home_address, "home_lat": technician.home_lat, "home_lon": technician.home_lon,
        "daily_job_cap": technician.daily_job_cap, "van": technician.van.code if technician.van else None,
        "skills": sorted(f"{s.skill}:{s.level}:{s.certified_until or ''}" for s in technician.skills),
        "shifts": [f"{s.weekday} {s.start:%H:%M}-{s.end:%H:%M} break {s.break_minutes}" for s in technician.shifts],
        "days_off": sorted(f"{d.day} {d.reason}".strip() for d in technician.days_off),
    }


def _set_skills(technician: Technician, skills: list[Skill]) -> None:
    technician.skills = [TechnicianSkill(skill=s.skill, level=s.level, certified_until=s.certified_until)
                         for s in skills]


def _set_shifts(technician: Technician, shifts: list[Shift]) -> None:
    technician.shifts = [TechnicianShift(weekday=s.weekday, start=s.start, end=s.end, break_minutes=s.break_minutes,
                                         break_earliest=s.break_earliest if s.break_minutes else None,
                                         break_latest_end=s.break_latest_end if s.break_minutes else None)
                         for s in sorted(shifts, key=lambda s: s.weekday)]


def _set_days_off(technician: Technician, days_off: list[DayOff]) -> None:
    technician.days_off = [TechnicianDayOff(day=d.day, reason=d.reason) for d in sorted(days_off, key=lambda d: d.day)]


def _user_for_profile(session: Session, username: str, new_user: NewUser | None) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        if new_user is None:
            raise TechnicianRefused(_("No user %(username)s; give a name and password to create one.",
                                      username=username), field="username")
        return create_user(session, username=username, display_name=new_user.display_name, role=Role.TECHNICIAN,
                           password=new_user.password)
    if new_user is not None:
        raise TechnicianRefused(_("The username %(username)s is already taken.", username=username),
                                field="username", conflict=True)
    if user.role != Role.TECHNICIAN:
        raise TechnicianRefused(_("%(username)s has the %(role)s role, not technician.", username=username,
                                  role=user.role.value), field="username")
    if session.scalar(select(Technician).where(Technician.user_id == user.id)) is not None:
        raise TechnicianRefused(_("%(username)s already has a technician profile.", username=username),
                                field="username", conflict=True)
    return user


def create_technician(session: Session, *, actor: str, now: datetime, username: str, region_code: str,
                      home_lat: float, home_lon: float, home_address: str = "", daily_job_cap: int = 8,
                      van_code: str | None = None, skills: list[Skill] = (), shifts: list[Shift] = (),
                      days_off: list[DayOff] = (), new_user: NewUser | None = None) -> Technician:
    """The technician profile of an existing technician user, or of a new one made with `new_user`
    (its creation is audited as a user's). Without a profile a technician's own pages refuse them."""
    skills, shifts, days_off = list(skills), list(shifts), list(days_off)
    region = _region(session, region_code)
    _check_cap(daily_job_cap)
    _check_skills(skills)
    _check_shifts(shifts)
    _check_days_off(days_off)
    user = _user_for_profile(session, username, new_user)
    if new_user is not None:
        record_change(session, actor=actor, at=now, kind="user", key=user.username, action="create",
                      changes={"username": user.username, "display_name": user.display_name,
                               "role": user.role.value, "active": True})
    technician = Technician(user=user, region=region, home_lat=home_lat, home_lon=home_lon,
                            home_address=home_address, daily_job_cap=daily_job_cap)
    technician.van = _van(session, van_code, None)
    _set_skills(technician, skills)
    _set_shifts(technician, shifts)
    _set_days_off(technician, days_off)
    session.add(technician)
    session.flush()
    record_change(session, actor=actor, at=now, kind="technician", key=user.username, action="create",
                  changes=_facts(technician))
    return technician


_KEEP = object()  # "leave as it is", distinct from None ("no van")


def update_technician(session: Session, *, actor: str, now: datetime, technician: Technician,
                      region_code: str | None = None, home_lat: float | None = None, home_lon: float | None = None,
                      home_address: str | None = None, daily_job_cap: int | None = None, van_code=_KEEP,
                      skills: list[Skill] | None = None, shifts: list[Shift] | None = None,
                      days_off: list[DayOff] | None = None) -> Technician:
    """Change what is given; lists given replace the technician's whole list (skills, shifts, days off)."""
    before = _facts(technician)
    region = _region(session, region_code) if region_code is not None else None
    if daily_job_cap is not None:
        _check_cap(daily_job_cap)
    if skills is not None:
        _check_skills(skills)
    if shifts is not None:
        _check_shifts(shifts)
    if days_off is not None:
        _check_days_off(days_off)
    van = _van(session, van_code, technician) if van_code is not _KEEP else _KEEP
    if region is not None:
        technician.region = region
    for name, value in (("home_lat", home_lat), ("home_lon", home_lon), ("home_address", home_address),
                        ("daily_job_cap", daily_job_cap)):
        if value is not None:
            setattr(technician, name, value)
    if van is not _KEEP:
        technician.van = van
    if skills is not None:
        _set_skills(technician, skills)
    if shifts is not None:
        _set_shifts(technician, shifts)
    if days_off is not None:
        _set_days_off(technician, days_off)
    session.flush()
    if difference := diff(before, _facts(technician)):
        record_change(session, actor=actor, at=now, kind="technician", key=technician.user.username,
                      action="update", changes=difference)
    return technician


def technicians_query(*, search: str | None = None, region_code: str | None = None) -> Select:
    """Technicians by username, filtered by a text in the username or name, and a region."""
    query = select(Technician).join(Technician.user).join(Technician.region).order_by(User.username)
    if search:
        text = search.lower()
        query = query.where(or_(func.lower(User.username).contains(text, autoescape=True),
                                func.lower(User.display_name).contains(text, autoescape=True)))
    if region_code:
        query = query.where(Region.code == region_code)
    return query


def users_without_profile(session: Session) -> list[User]:
    """Technician accounts that cannot open their day yet: they have no technician profile."""
    return list(session.scalars(select(User).where(User.role == Role.TECHNICIAN, User.active.is_(True),
                                                   ~User.id.in_(select(Technician.user_id)))
                                .order_by(User.username)))

