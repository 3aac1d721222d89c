"""From validated input (the API's JSON or a page's form, both loaded by the same schemas) to the
domain services: one place turns the schemas' dicts into the services' keyword arguments."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core import users
from core.regions import OpeningHours, Region
from core.regions import create_region as _create_region
from core.regions import update_region as _update_region
from core.users import User
from dispatch.technicians import services as technicians
from dispatch.technicians.models import Technician

_REGION_FIELDS = ("code", "name", "time_zone", "center_lat", "center_lon", "road_factor", "speed_kmh",
                  "service_radius_km", "hotline")


def create_user(session: Session, *, actor: str, now: datetime, data: dict) -> User:
    return users.add_user(session, actor=actor, now=now, username=data["username"],
                          display_name=data["display_name"], role=data["role"], password=data["password"],
                          locale=data.get("locale"), email=data.get("email"))


def update_user(session: Session, *, actor: str, now: datetime, user: User, data: dict) -> User:
    users.update_user(session, actor=actor, now=now, user=user, display_name=data.get("display_name"),
                      role=data.get("role"), locale=data.get("locale"),
                      clear_locale="locale" in data and data["locale"] is None, email=data.get("email"),
                      clear_email="email" in data and data["email"] is None)
    if "active" in data:
        users.set_user_active(session, actor=actor, now=now, user=user, active=data["active"])
    return user


def _hours(rows: list[dict] | None) -> list[OpeningHours] | None:
    return None if rows is None else [OpeningHours(weekday=r["weekday"], opens=r["opens"], closes=r["closes"])
                                      for r in rows]


def create_region(session: Session, *, actor: str, now: datetime, data: dict) -> Region:
    return _create_region(session, actor=actor, now=now, business_hours=_hours(data.get("business_hours")),
                          **{name: data[name] for name in _REGION_FIELDS if name in data})


def update_region(session: Session, *, actor: str, now: datetime, region: Region, data: dict) -> Region:
    return _update_region(session, actor=actor, now=now, region=region,
                          business_hours=_hours(data.get("business_hours")),
                          **{name: data[name] for name in _REGION_FIELDS if name in data})


def _lists(data: dict) -> dict:
    lists = {}
    if "skills" in data:
        lists["skills"] = [technicians.Skill(**row) for row in data["skills"]]
    if "shifts" in data:
        lists["shifts"] = [technicians.Shift(**row) for row in data["shifts"]]
    if "days_off" in data:
        lists["days_off"] = [technicians.DayOff(**row) for row in data["days_off"]]
    return lists


def create_technician(session: Session, *, actor: str, now: datetime, data: dict) -> Technician:
    new_user = (technicians.NewUser(display_name=data["display_name"], password=data["password"])
                if "password" in data else None)
    return technicians.create_technician(
        session, actor=actor, now=now, username=data["username"], region_code=data["region"],
        home_lat=data["home_lat"], home_lon=data["home_lon"], home_address=data.get("home_address", ""),
        daily_job_cap=data.get("daily_job_cap", 8), van_code=data.get("van"), new_user=new_user, **_lists(data))


def update_technician(session: Session, *, actor: str, now: datetime, technician: Technician,
                      data: dict) -> Technician:
    extra = {"van_code": data["van"]} if "van" in data else {}
    return technicians.update_technician(
        session, actor=actor, now=now, technician=technician, region_code=data.get("region"),
        home_lat=data.get("home_lat"), home_lon=data.get("home_lon"), home_address=data.get("home_address"),
        daily_job_cap=data.get("daily_job_cap"), **extra, **_lists(data))
