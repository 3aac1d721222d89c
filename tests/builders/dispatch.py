"""Builders of the dispatch domain: product models, appliances, technicians."""
from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy.orm import Session

from core.regions import Region
from core.users import Role
from dispatch.catalog.models import Asset, Customer, ProductModel, WarrantyPolicy
from tests.builders.core import make_user, next_number


def make_model(session: Session, *, return_days: int = 7, exchange_days: int = 15, free_repair_months: int = 12,
               skill: str = "refrigeration") -> ProductModel:
    n = next_number()
    policy = WarrantyPolicy(code=f"policy-{n}", name="Test policy", return_days=return_days,
                            exchange_days=exchange_days, free_repair_months=free_repair_months)
    model = ProductModel(code=f"M-{n}", name=f"Model {n}", category="refrigerator", product_line="cooling",
                         warranty_policy=policy, repair_skill=skill, service_minutes=45)
    session.add(model)
    session.flush()
    return model


def make_asset(session: Session, *, model: ProductModel | None = None, purchase_date: date | None = date(2026, 3, 1),
               phone: str = "+86 138 0000 0001", region: Region | None = None,
               at: tuple[float, float] = (31.31, 120.62)) -> Asset:
    n = next_number()
    customer = Customer(name=f"Customer {n}", phone=phone)
    asset = Asset(serial=f"SN-{n:06d}", product_model=model or make_model(session), customer=customer,
                  region=region, address=f"{n} Renmin Road, Suzhou", latitude=at[0], longitude=at[1],
                  purchase_date=purchase_date, qr_token=secrets.token_urlsafe(18))
    session.add(asset)
    session.flush()
    return asset


def make_technician(session: Session, *, region: Region, skills: dict[str, int] | None = None,
                    home: tuple[float, float] = (31.31, 120.62), weekdays=range(7), start=None, end=None,
                    break_minutes: int = 0, cap: int = 8, username: str | None = None):
    """A technician working 08:00-17:00 local every day unless told otherwise."""
    from datetime import time

    from dispatch.technicians.models import Technician, TechnicianShift, TechnicianSkill

    user = make_user(session, username=username, role=Role.TECHNICIAN)
    technician = Technician(user=user, region=region, home_lat=home[0], home_lon=home[1], daily_job_cap=cap)
    technician.skills = [TechnicianSkill(skill=s, level=level) for s, level in (skills or {"refrigeration": 2}).items()]
    technician.shifts = [TechnicianShift(weekday=d, start=start or time(8), end=end or time(17),
                                         break_earliest=time(11, 30) if break_minutes else None,
                                         break_latest_end=time(14) if break_minutes else None,
                                         break_minutes=break_minutes) for d in weekdays]
    session.add(technician)
    session.flush()
    return technician
