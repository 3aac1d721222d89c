"""Signed-in callers of the administration API and pages, one per role, and row counts to compare."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.admin_audit import AdminChange
from core.regions import BusinessHours, Region
from core.users import Role, User
from dispatch.technicians.models import Technician, TechnicianDayOff, TechnicianShift, TechnicianSkill
from tests.builders.core import PASSWORD, make_region, make_user

ROLES = [role for role in Role]


@pytest.fixture
def staff(session) -> dict[Role, User]:
    """One user of every role (the admin is `root`), and the region gusu."""
    users = {role: make_user(session, username=f"{role.value}.one", role=role) for role in Role}
    users[Role.ADMIN].username = "root"
    make_region(session)
    session.commit()
    return users


@pytest.fixture
def headers_for(client, staff):
    cache: dict[Role, dict] = {}

    def issue(role: Role) -> dict[str, str]:
        if role not in cache:
            response = client.post("/api/v1/auth/tokens", json={"username": staff[role].username,
                                                                "password": PASSWORD})
            assert response.status_code == 201, response.json
            cache[role] = {"Authorization": f"Bearer {response.json['token']}"}
        return cache[role]

    return issue


@pytest.fixture
def admin(headers_for):
    return headers_for(Role.ADMIN)


@pytest.fixture
def rows(session):
    """Row counts of everything an administration request could write."""

    def snapshot() -> dict[str, int]:
        session.expire_all()
        counted = {model.__name__: session.scalar(select(func.count()).select_from(model))
                   for model in (User, Region, BusinessHours, Technician, TechnicianSkill, TechnicianShift,
                                 TechnicianDayOff, AdminChange)}
        session.rollback()
        return counted

    return snapshot
