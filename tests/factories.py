"""Small builders with sensible defaults, so a test states only what matters to it."""
from __future__ import annotations

import itertools
import secrets
from datetime import date
from functools import lru_cache

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from core.regions import Region
from core.users import Role, User
from dispatch.catalog.models import Asset, Customer, ProductModel, WarrantyPolicy

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # Hashed once per run: the production hash is deliberately slow.
    return generate_password_hash(PASSWORD)


def make_user(session: Session, *, username: str | None = None, role: Role = Role.AGENT, active: bool = True) -> User:
    n = next(_counter)
    user = User(username=username or f"user{n}", display_name=f"User {n}", role=role,
                password_hash=_password_hash(), active=active)
    session.add(user)
    session.flush()
    return user


def make_region(session: Session, *, code: str = "gusu") -> Region:
    region = Region(code=code, name=code.title(), center_lat=31.31, center_lon=120.62)
    session.add(region)
    session.flush()
    return region


def make_model(session: Session, *, return_days: int = 7, exchange_days: int = 15, free_repair_months: int = 12,
               skill: str = "refrigeration") -> ProductModel:
    n = next(_counter)
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
    n = next(_counter)
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


def make_part(session: Session, *, sku: str | None = None, unit_cost: str = "120.00"):
    from decimal import Decimal

    from inventory.models import Part

    n = next(_counter)
    part = Part(sku=sku or f"P-{n:05d}", name=f"Part {n}", unit_cost=Decimal(unit_cost))
    session.add(part)
    session.flush()
    return part


def make_warehouse(session: Session, *, kind=None, regions: list[Region] = (), at: tuple[float, float] | None =
                   (31.30, 120.60), code: str | None = None):
    from inventory.models import Warehouse, WarehouseKind

    n = next(_counter)
    warehouse = Warehouse(code=code or f"WH-{n}", name=f"Warehouse {n}", kind=kind or WarehouseKind.REGIONAL,
                          latitude=at[0] if at else None, longitude=at[1] if at else None)
    warehouse.serves_regions = list(regions)
    session.add(warehouse)
    session.flush()
    return warehouse


def make_supplier(session: Session, *, parts=(), normal_hours: int = 72, expedited_hours: int = 24,
                  fee: str = "80.00", unit_cost: str = "100.00"):
    from decimal import Decimal

    from inventory.models import Supplier, SupplierPart

    n = next(_counter)
    supplier = Supplier(code=f"SUP-{n}", name=f"Supplier {n}", normal_lead_hours=normal_hours,
                        expedited_lead_hours=expedited_hours, expedite_fee=Decimal(fee))
    session.add(supplier)
    session.flush()
    for part in parts:
        session.add(SupplierPart(supplier_id=supplier.id, part_id=part.id, unit_cost=Decimal(unit_cost)))
    session.flush()
    return supplier
