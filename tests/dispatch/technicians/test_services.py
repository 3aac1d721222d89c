"""Administering technicians: a technician user gets a profile (and so their day), skills with levels and
certification expiry, shifts with a lunch break inside them, days off, a van of their own; every refusal
names its field and changes nothing; every change is audited."""
from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import func, select

from core.admin_audit import changes_of
from core.regions import OpeningHours, RegionRefused, create_region, update_region
from core.users import Role, User
from dispatch.technicians.errors import TechnicianRefused
from dispatch.technicians.models import Technician
from dispatch.technicians.services import (
    DayOff,
    NewUser,
    Shift,
    Skill,
    create_technician,
    technicians_query,
    update_technician,
    users_without_profile,
)
from inventory.models import WarehouseKind
from tests.builders.core import make_region, make_user
from tests.builders.inventory import make_warehouse
from tests.conftest import NOW

WEEKDAY = Shift(weekday=0, start=time(8, 30), end=time(17, 30), break_minutes=60, break_earliest=time(11, 30),
                break_latest_end=time(13, 30))


def _create(session, **overrides) -> Technician:
    arguments = {"actor": "root", "now": NOW, "username": "tech.new", "region_code": "gusu", "home_lat": 31.3,
                 "home_lon": 120.6, "home_address": "姑苏区人民路 100 号", "skills": [Skill("refrigeration", 2)],
                 "shifts": [WEEKDAY]}
    return create_technician(session, **{**arguments, **overrides})


def _technicians(session) -> int:
    return session.scalar(select(func.count()).select_from(Technician))


def test_a_technician_user_gets_a_profile_and_leaves_the_waiting_list(session):
    make_region(session)
    user = make_user(session, username="tech.new", role=Role.TECHNICIAN)
    assert users_without_profile(session) == [user]
    technician = _create(session, days_off=[DayOff(date(2026, 12, 24), "年假")])
    assert technician.user is user and technician.skill_level("refrigeration") == 2
    assert technician.shifts[0].break_minutes == 60 and technician.days_off[0].reason == "年假"
    assert users_without_profile(session) == []
    [change] = changes_of(session, kind="technician", key="tech.new")
    assert change.action == "create" and change.changes["region"] == "gusu"


def test_the_account_is_created_with_the_profile_when_asked(session):
    make_region(session)
    technician = _create(session, new_user=NewUser(display_name="王师傅", password="a long enough passphrase"))
    assert technician.user.role == Role.TECHNICIAN and technician.user.display_name == "王师傅"
    assert [c.kind for c in changes_of(session, kind="user", key="tech.new")] == ["user"]


@pytest.mark.parametrize("overrides, field", [
    ({"region_code": "nowhere"}, "region"),
    ({"daily_job_cap": 0}, "daily_job_cap"),
    ({"daily_job_cap": 51}, "daily_job_cap"),
    ({"skills": [Skill("refrigeration"), Skill("refrigeration", 3)]}, "skills"),
    ({"skills": [Skill("refrigeration", 4)]}, "skills"),
    ({"shifts": [WEEKDAY, WEEKDAY]}, "shifts"),
    ({"shifts": [Shift(weekday=7, start=time(8), end=time(17))]}, "shifts"),
    ({"shifts": [Shift(weekday=1, start=time(17), end=time(8))]}, "shifts"),
    ({"shifts": [Shift(weekday=1, start=time(8), end=time(17), break_minutes=30)]}, "shifts"),
    ({"shifts": [Shift(weekday=1, start=time(8), end=time(12), break_minutes=30, break_earliest=time(11),
                       break_latest_end=time(13))]}, "shifts"),
    ({"shifts": [Shift(weekday=1, start=time(8), end=time(17), break_minutes=90, break_earliest=time(12),
                       break_latest_end=time(13))]}, "shifts"),
    ({"days_off": [DayOff(date(2026, 12, 24)), DayOff(date(2026, 12, 24), "again")]}, "days_off"),
    ({"van_code": "WH-NONE"}, "van"),
    ({"username": "nobody"}, "username"),
    ({"username": "agent.li"}, "username"),
])
def test_a_bad_profile_is_refused_by_field_and_nothing_is_written(session, overrides, field):
    make_region(session)
    make_user(session, username="tech.new", role=Role.TECHNICIAN)
    make_user(session, username="agent.li", role=Role.AGENT)
    with pytest.raises(TechnicianRefused) as refused:
        _create(session, **overrides)
    assert refused.value.field == field
    assert _technicians(session) == 0


def test_a_van_belongs_to_one_technician_and_a_depot_is_no_van(session):
    make_region(session)
    van = make_warehouse(session, kind=WarehouseKind.VAN, code="VAN-01")
    make_warehouse(session, code="WH-GUSU")
    make_user(session, username="tech.new", role=Role.TECHNICIAN)
    make_user(session, username="tech.two", role=Role.TECHNICIAN)
    assert _create(session, van_code="VAN-01").van is van
    with pytest.raises(TechnicianRefused, match="already belongs") as taken:
        _create(session, username="tech.two", van_code="VAN-01")
    assert taken.value.conflict
    with pytest.raises(TechnicianRefused, match="not a van"):
        _create(session, username="tech.two", van_code="WH-GUSU")


def test_a_second_profile_for_the_same_user_is_refused(session):
    make_region(session)
    make_user(session, username="tech.new", role=Role.TECHNICIAN)
    _create(session)
    with pytest.raises(TechnicianRefused, match="already has"):
        _create(session)


def test_an_update_replaces_the_lists_given_and_audits_the_difference(session):
    make_region(session)
    make_region(session, code="wuzhong")
    make_user(session, username="tech.new", role=Role.TECHNICIAN)
    technician = _create(session)
    update_technician(session, actor="boss", now=NOW, technician=technician, region_code="wuzhong",
                      skills=[Skill("washing", 3, date(2027, 6, 30))], daily_job_cap=6)
    assert technician.region.code == "wuzhong" and technician.daily_job_cap == 6
    assert [(s.skill, s.level) for s in technician.skills] == [("washing", 3)]
    assert len(technician.shifts) == 1  # not given, so kept
    change = changes_of(session, kind="technician", key="tech.new")[-1]
    assert change.actor == "boss" and set(change.changes) == {"region", "skills", "daily_job_cap"}


def test_the_list_searches_by_name_and_region(session):
    make_region(session)
    make_user(session, username="tech.new", role=Role.TECHNICIAN)
    _create(session)
    assert [t.user.username for t in session.scalars(technicians_query(search="NEW"))] == ["tech.new"]
    assert list(session.scalars(technicians_query(region_code="wuzhong"))) == []


# --- regions ---

def test_a_region_is_created_with_business_hours_and_audited(session):
    region = create_region(session, actor="root", now=NOW, code="gusu", name="姑苏区", center_lat=31.31,
                           center_lon=120.62, service_radius_km=25,
                           business_hours=[OpeningHours(0, time(9), time(18)), OpeningHours(5, time(9), time(12))])
    assert [h.weekday for h in region.business_hours] == [0, 5]
    assert changes_of(session, kind="region", key="gusu")[0].changes["service_radius_km"] == 25


@pytest.mark.parametrize("overrides, field", [
    ({"code": "GUSU"}, "code"),
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"time_zone": "../../etc/passwd"}, "time_zone"),
    ({"business_hours": [OpeningHours(0, time(18), time(9))]}, "business_hours"),
    ({"business_hours": [OpeningHours(0, time(9), time(18)), OpeningHours(0, time(9), time(17))]}, "business_hours"),
])
def test_a_bad_region_is_refused_by_field(session, overrides, field):
    make_region(session)
    arguments = {"actor": "root", "now": NOW, "code": "wuzhong", "name": "吴中区", "center_lat": 31.27,
                 "center_lon": 120.63}
    with pytest.raises(RegionRefused) as refused:
        create_region(session, **{**arguments, **overrides})
    assert refused.value.field == field


def test_a_region_update_changes_what_is_given_and_keeps_its_history_by_its_old_code(session):
    region = make_region(session)
    update_region(session, actor="root", now=NOW, region=region, code="gusu2", speed_kmh=22.0,
                  business_hours=[OpeningHours(1, time(8), time(20))])
    assert region.code == "gusu2" and region.speed_kmh == 22.0 and region.business_hours[0].weekday == 1
    assert changes_of(session, kind="region", key="gusu")[-1].changes["code"] == ["gusu", "gusu2"]
    assert session.scalar(select(func.count()).select_from(User)) == 0
