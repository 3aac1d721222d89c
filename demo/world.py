"""A believable demo city (Suzhou): 3 service regions, 30 technicians, 6 warehouses plus vans,
40 parts, 20 product models, 500 registered appliances and the staff who work with them; 3 suppliers,
opening stock received through the ledger, restock rules for the depots, and two parts already on
their way to jobs by emergency transfer."""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import care  # noqa: F401  (subscribes care to job events: the demo completes jobs)
import dispatch.parts  # noqa: F401  (subscribes parts to job events: the demo cancels and completes jobs)
from core.regions import Region
from core.users import Role, User, create_users_sharing_a_password
from demo import texts
from demo.texts import CHINESE_SHARE, MODEL_NAMES_ZH, PART_NAMES_ZH, person_name
from dispatch.catalog.models import Asset, Customer, ProductModel, WarrantyPolicy
from dispatch.jobs.models import Priority, SlaPolicy
from dispatch.quotes.models import LabourPrice
from dispatch.technicians.models import Technician, TechnicianShift, TechnicianSkill
from inventory.models import Part, Supplier, SupplierPart, Warehouse, WarehouseKind
from inventory.reasons import reason as stock_reason

DEMO_PASSWORD = "aftercare-demo"

# A name is one field read by everyone, so names people see in both languages carry both.
REGIONS = [  # code, name, centre
    ("gusu", "姑苏区 Gusu", 31.3110, 120.6170),
    ("sip", "工业园区 Industrial Park", 31.3170, 120.7200),
    ("snd", "高新区 New District", 31.2980, 120.5450),
]
POLICIES = [  # code, name, return days, exchange days, free repair months
    ("standard-12", "三包标准 Standard: 7-day return, 15-day exchange, 12-month repair", 7, 15, 12),
    ("major-36", "大家电 Major appliance: 7-day return, 15-day exchange, 36-month repair", 7, 15, 36),
    ("small-6", "小家电 Small appliance: 7-day return, 15-day exchange, 6-month repair", 7, 15, 6),
]
# What a customer pays for a part out of warranty, over what it costs us.
CUSTOMER_MARKUP = Decimal("1.4")

# code, name, category, product line, policy, skill, service minutes
MODELS = [
    ("RF-420", "FrostLine 420 L fridge-freezer", "refrigerator", "cooling", "major-36", "refrigeration", 60),
    ("RF-560X", "FrostLine 560 L side-by-side", "refrigerator", "cooling", "major-36", "refrigeration", 75),
    ("FZ-200", "FrostLine 200 L chest freezer", "freezer", "cooling", "major-36", "refrigeration", 50),
    ("WC-48", "Cellar 48-bottle wine cooler", "wine cooler", "cooling", "standard-12", "refrigeration", 40),
    ("AC-26S", "Breeze 2.6 kW split air conditioner", "air conditioner", "climate", "major-36", "hvac", 60),
    ("AC-35S", "Breeze 3.5 kW split air conditioner", "air conditioner", "climate", "major-36", "hvac", 60),
    ("AC-72C", "Breeze 7.2 kW cabinet air conditioner", "air conditioner", "climate", "major-36", "hvac", 90),
    ("HP-90", "ThermaPump 9 kW heat pump", "heat pump", "climate", "major-36", "hvac", 90),
    ("WM-F10", "AquaSpin 10 kg front-loader", "washing machine", "laundry", "standard-12", "laundry", 50),
    ("WM-T8", "AquaSpin 8 kg top-loader", "washing machine", "laundry", "standard-12", "laundry", 45),
    ("TD-9", "DryRight 9 kg heat-pump dryer", "dryer", "laundry", "standard-12", "laundry", 45),
    ("EH-60", "HotSpring 60 L electric water heater", "water heater", "water", "standard-12", "water_heating", 45),
    ("GH-16", "HotSpring 16 L gas water heater", "gas water heater", "water", "standard-12", "water_heating", 60),
    ("WP-600", "PureFlow 600G water purifier", "water purifier", "water", "small-6", "water_heating", 30),
    ("DW-13", "CleanStack 13-place dishwasher", "dishwasher", "kitchen", "standard-12", "kitchen", 50),
    ("RH-90", "SmokeAway 90 cm range hood", "range hood", "kitchen", "standard-12", "kitchen", 45),
    ("IH-2Z", "FlameFree 2-zone induction hob", "induction hob", "kitchen", "standard-12", "kitchen", 35),
    ("OV-60", "BakeRight 60 L built-in oven", "oven", "kitchen", "standard-12", "kitchen", 45),
    ("TV-55Q", "Vista 55-inch QLED TV", "television", "electronics", "standard-12", "electronics", 40),
    ("TV-65Q", "Vista 65-inch QLED TV", "television", "electronics", "standard-12", "electronics", 45),
]
PARTS_BY_SKILL = {
    "refrigeration": ["Compressor 1/4 HP", "Door gasket", "Defrost heater", "Thermostat", "Evaporator fan motor",
                      "Main control board (cooling)", "Water filter cartridge"],
    "hvac": ["Capacitor 35 uF", "Outdoor fan motor", "Indoor PCB (split)", "Refrigerant R32 1 kg", "Expansion valve",
             "Remote control", "Drain pump (indoor)"],
    "laundry": ["Drain pump", "Door lock assembly", "Drive belt", "Drum bearing kit", "Inlet valve",
                "Main control board (laundry)", "Door seal (front-loader)"],
    "water_heating": ["Heating element 2 kW", "Anode rod", "Thermostat (water heater)", "Ignition module",
                      "Flow sensor", "RO membrane", "Gas valve"],
    "kitchen": ["Circulation pump", "Spray arm", "Hood fan motor", "Grease filter", "Induction coil",
                "Oven heating element", "Touch control panel"],
    "electronics": ["LED backlight strip (55\")", "LED backlight strip (65\")", "Power board (TV)",
                    "Main board (TV)", "T-con board"],
}
STAFF = [  # username, display name, role
    ("admin", "系统管理员 Site Administrator", Role.ADMIN),
    ("agent.li", "李娜 Li Na", Role.AGENT),
    ("agent.wang", "王芳 Wang Fang", Role.AGENT),
    ("dispatch.zhou", "周敏 Zhou Min", Role.DISPATCHER),
    ("stock.chen", "陈杰 Chen Jie", Role.WAREHOUSE),
    ("manager.xu", "徐慧 Xu Hui", Role.MANAGER),
]
WAREHOUSES = [  # code, name, kind, region codes served, lat, lon
    ("WH-CENTRAL", "相城中心仓 Central warehouse, Xiangcheng", WarehouseKind.CENTRAL, ["gusu", "sip", "snd"],
     31.3690, 120.6420),
    ("WH-GUSU-N", "姑苏北仓 Gusu north depot", WarehouseKind.REGIONAL, ["gusu"], 31.3300, 120.6150),
    ("WH-GUSU-S", "姑苏南仓 Gusu south depot", WarehouseKind.REGIONAL, ["gusu"], 31.2900, 120.6250),
    ("WH-SIP-W", "园区西仓 Industrial Park west depot", WarehouseKind.REGIONAL, ["sip"], 31.3200, 120.6900),
    ("WH-SIP-E", "园区东仓 Industrial Park east depot", WarehouseKind.REGIONAL, ["sip", "gusu"], 31.3150, 120.7600),
    ("WH-SND", "高新区仓 New District depot", WarehouseKind.REGIONAL, ["snd"], 31.2950, 120.5400),
]


# code, name, normal lead hours, expedited lead hours, expedite fee, price factor against list cost
SUPPLIERS = [
    ("SUP-HAIRUI", "苏州海瑞家电配件 Hairui Appliance Parts, Suzhou", 72, 20, "80.00", 1.00),
    ("SUP-YANGTZE", "无锡扬子配件 Yangtze Spares, Wuxi", 48, 12, "150.00", 1.08),
    ("SUP-PEARL", "深圳珠江元器件 Pearl River Components, Shenzhen", 120, 36, "60.00", 0.88),
]
# Expensive, slow-moving parts: kept only at the central warehouse.
CENTRAL_ONLY = {"Compressor 1/4 HP", "Main control board (cooling)", "Indoor PCB (split)",
                "Main control board (laundry)", "Ignition module"}
# Sold out at the central warehouse; only the New District depot still has a few. A job elsewhere
# needing one is an emergency transfer across town (what the warehouse's emergency queue is for).
SOLD_OUT_CENTRALLY = {"Induction coil": 3, "Main board (TV)": 2}
LAST_UNITS_AT = "WH-SND"
# What a technician carries in the van for each of their skills: cheap parts that fail often.
VAN_KIT = {
    "refrigeration": ["Door gasket", "Thermostat", "Defrost heater"],
    "hvac": ["Capacitor 35 uF", "Remote control", "Drain pump (indoor)"],
    "laundry": ["Drain pump", "Inlet valve", "Drive belt"],
    "water_heating": ["Anode rod", "Thermostat (water heater)", "Flow sensor"],
    "kitchen": ["Spray arm", "Grease filter", "Circulation pump"],
    "electronics": ["Power board (TV)", "T-con board"],
}
DEPOT_RULE = (2, 8, 2)  # min, max, reorder multiple for every part a regional depot stocks


@dataclass(frozen=True)
class DemoSummary:
    regions: int
    technicians: int
    warehouses: int
    parts: int
    models: int
    assets: int
    staff: int


def demo_loaded(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(Asset)) > 0


def load_demo(session: Session, *, today: date, seed: int = 7, asset_count: int = 500,
              open_reports: int = 45, now=None, tz=None) -> DemoSummary:
    rng = random.Random(seed)
    regions = {code: Region(code=code, name=name, center_lat=lat, center_lon=lon) for code, name, lat, lon in REGIONS}
    session.add_all(regions.values())
    policies = {code: WarrantyPolicy(code=code, name=name, return_days=r, exchange_days=e, free_repair_months=m)
                for code, name, r, e, m in POLICIES}
    session.add_all(policies.values())
    # The migration's default promise, and a shorter one for urgent reports (a leak, no heating in winter).
    session.add(SlaPolicy(code="urgent", name="Urgent: respond in 1 h, repair in 1 day", priority=Priority.URGENT,
                          respond_minutes=60, repair_minutes=24 * 60))

    parts_by_skill: dict[str, list[Part]] = {}
    sku = 0
    for skill, names in PARTS_BY_SKILL.items():
        for name in names:
            sku += 1
            cost = Decimal(rng.randrange(800, 120000)) / 100
            part = Part(sku=f"P-{sku:04d}", name=name, name_zh=PART_NAMES_ZH[name], unit_cost=cost,
                        customer_price=(cost * CUSTOMER_MARKUP).quantize(Decimal(1)))
            parts_by_skill.setdefault(skill, []).append(part)
            session.add(part)
    # The price list of paid repairs: labour per skill, and the call-out fee a declined quote costs.
    session.add_all(LabourPrice(code=f"LABOUR-{skill}"[:40].replace(" ", "-"), name=f"{skill} repair", skill=skill,
                                labour=Decimal("120.00"), call_out_fee=Decimal("50.00")) for skill in PARTS_BY_SKILL)

    models = []
    for code, name, category, line, policy, skill, minutes in MODELS:
        model = ProductModel(code=code, name=name, name_zh=MODEL_NAMES_ZH[code], category=category, product_line=line,
                             warranty_policy=policies[policy], repair_skill=skill, service_minutes=minutes)
        model.parts = rng.sample(parts_by_skill[skill], k=min(4, len(parts_by_skill[skill])))
        models.append(model)
    session.add_all(models)

    for code, name, kind, served, lat, lon in WAREHOUSES:
        session.add(Warehouse(code=code, name=name, kind=kind, address=name, latitude=lat, longitude=lon,
                              serves_regions=[regions[r] for r in served]))

    skills = list(PARTS_BY_SKILL)
    region_codes = list(regions)
    technicians: list[Technician] = []
    names: list[str] = []
    for n in range(1, 31):
        region = regions[region_codes[(n - 1) % 3]]
        name = _staff_name(rng)
        names.append(name)
        lat, lon = _near(rng, region.center_lat, region.center_lon, 0.025)
        van = Warehouse(code=f"VAN-{n:02d}", name=f"{name.split()[0]}的服务车 Van of {name.split(' ', 1)[1]}",
                        kind=WarehouseKind.VAN)
        technician = Technician(region=region, home_lat=lat, home_lon=lon, van=van, daily_job_cap=8)
        technician.shifts = _weekly_shifts(late=n % 4 == 0)
        # Everyone has two or three skills; across a region every skill is covered several times.
        technician.skills = [TechnicianSkill(skill=skill, level=rng.choice([1, 2, 2, 3]))
                             for skill in rng.sample(skills, k=rng.choice([2, 3]))]
        technicians.append(technician)
    # Every demo account signs in with the one printed password, hashed once.
    accounts = create_users_sharing_a_password(session, [
        *STAFF, *((f"tech{n:02d}", name, Role.TECHNICIAN) for n, name in enumerate(names, start=1))],
        password=DEMO_PASSWORD)
    for technician, user in zip(technicians, accounts[len(STAFF):], strict=True):
        technician.user = user
        session.add(technician)

    # (customer, region code, address, location): each household keeps one address for all its appliances.
    households: list[tuple[Customer, str, str, tuple[float, float]]] = []
    for n in range(asset_count):
        # About one customer in ten owns two or more appliances.
        if households and rng.random() < 0.1:
            customer, region_code, address, location = rng.choice(households)
        else:
            language = "zh" if rng.random() < CHINESE_SHARE else "en"
            customer = Customer(name=person_name(rng, language),
                                phone=f"+86 1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
                                is_business=rng.random() < 0.08)
            region_code = rng.choice(region_codes)
            address = texts.address(rng, region_code, language)
            location = _near(rng, regions[region_code].center_lat, regions[region_code].center_lon, 0.03)
            households.append((customer, region_code, address, location))
        model = rng.choice(models)
        session.add(Asset(serial=f"{model.code}-{today.year % 100:02d}{n:05d}{rng.randrange(100, 999)}",
                          product_model=model, customer=customer, region=regions[region_code], address=address,
                          latitude=location[0], longitude=location[1], purchase_date=_purchase_date(rng, today),
                          qr_token=secrets.token_urlsafe(18)))
    session.flush()
    stocked_at = now or datetime.combine(today, time(0), tzinfo=UTC)
    _stock(session, rng, parts_by_skill=parts_by_skill, technicians=technicians, now=stocked_at)
    if now is not None:
        from demo.care_history import load_service_history

        # Weeks of completed, surveyed jobs first, so the service dashboard has numbers and trends.
        load_service_history(session, now=now, tz=tz, seed=seed)
    if now is not None and open_reports:
        _open_reports(session, rng, count=open_reports, now=now, tz=tz)
        _emergency_transfers(session, now=now)
        _demo_technicians_day(session, rng, now=now, tz=tz)
    return DemoSummary(regions=len(regions), technicians=30, warehouses=len(WAREHOUSES), parts=sku,
                       models=len(models), assets=asset_count, staff=len(STAFF))


def _open_reports(session: Session, rng: random.Random, *, count: int, now, tz) -> None:
    """Faults reported over the last few hours, waiting for the scheduler to dispatch them."""
    from dispatch.intake.services import FaultReport, report_fault
    from dispatch.jobs.audit import CUSTOMER
    from dispatch.jobs.models import Channel

    assets = list(session.scalars(select(Asset).order_by(Asset.id)))
    for asset in rng.sample(assets, k=min(count, len(assets))):
        reported_at = now - timedelta(minutes=rng.randrange(0, 240))
        report_fault(session, asset=asset, actor=CUSTOMER, now=reported_at, tz=tz,
                     report=FaultReport(channel=rng.choice([Channel.QR, Channel.QR, Channel.APP, Channel.WECHAT]),
                                        fault_text=_fault_of(rng, asset), contact_name=asset.customer.name,
                                        contact_phone=asset.customer.phone))


def _stock(session: Session, rng: random.Random, *, parts_by_skill: dict[str, list[Part]],
           technicians: list[Technician], now) -> None:
    """Suppliers with a price for every part; opening stock received through the ledger (so the levels
    equal the ledger from the first movement): plenty at the central warehouse, some at each depot,
    a few common parts in each van for its technician's skills; min/max rules at the depots."""
    from inventory import ledger, restock

    parts = [part for skill_parts in parts_by_skill.values() for part in skill_parts]
    for code, name, normal, expedited, fee, factor in SUPPLIERS:
        supplier = Supplier(code=code, name=name, normal_lead_hours=normal, expedited_lead_hours=expedited,
                            expedite_fee=Decimal(fee))
        session.add(supplier)
        session.flush()
        session.add_all(SupplierPart(supplier_id=supplier.id, part_id=part.id,
                                     unit_cost=(part.unit_cost * Decimal(str(factor))).quantize(Decimal("0.01")))
                        for part in parts)
    warehouses = {w.code: w for w in session.scalars(select(Warehouse).where(Warehouse.kind != WarehouseKind.VAN))}

    def receive(warehouse: Warehouse, part: Part, quantity: int) -> None:
        ledger.receive(session, warehouse=warehouse, part=part, quantity=quantity, actor="demo", now=now,
                       reason=stock_reason("opening_count"))

    for part in parts:
        if part.name in SOLD_OUT_CENTRALLY:
            receive(warehouses[LAST_UNITS_AT], part, SOLD_OUT_CENTRALLY[part.name])
        else:
            receive(warehouses["WH-CENTRAL"], part, rng.randrange(30, 61))
    for code, warehouse in warehouses.items():
        if warehouse.kind != WarehouseKind.REGIONAL:
            continue
        for part in parts:
            if part.name in CENTRAL_ONLY or part.name in SOLD_OUT_CENTRALLY or rng.random() > 0.6:
                continue
            # From 1 up: a few depots start below their minimum, so the warehouse sees low stock at once.
            receive(warehouse, part, rng.randrange(1, 11))
            low, high, multiple = DEPOT_RULE
            restock.save_rule(session, warehouse=warehouse, part=part, min_quantity=low, max_quantity=high,
                              reorder_multiple=multiple, auto_create=True)
    by_name = {part.name: part for part in parts}
    for technician in technicians:
        for skill in technician.skills:
            for name in VAN_KIT[skill.skill]:
                receive(technician.van, by_name[name], rng.randrange(1, 4))


def _emergency_transfers(session: Session, *, now) -> None:
    """Two open jobs outside the New District need a part sold out centrally: sourcing orders it by
    emergency transfer from the New District depot, so the warehouse's emergency queue has work in it."""
    from dispatch.jobs.audit import Actor
    from dispatch.jobs.models import Job
    from dispatch.jobs.status import JobStatus
    from dispatch.parts import services as job_parts
    from dispatch.quotes.services import needs_quote

    agent = Actor(label="agent.li")
    scarce = list(session.scalars(select(Part).where(Part.name.in_(list(SOLD_OUT_CENTRALLY))).order_by(Part.sku)))
    # Not a paid repair: its parts are ordered only once the customer approved the quote (dispatch.quotes).
    jobs = [job for job in session.scalars(select(Job).where(Job.status == JobStatus.REPORTED).order_by(Job.id))
            if job.asset.region.code != "snd" and not needs_quote(job)]
    for part in scarce:
        # The part should fit the appliance: one on its model's bill of parts, else one of the same trade.
        skill = next(skill for skill, names in PARTS_BY_SKILL.items() if part.name in names)
        job = (next((j for j in jobs if part in j.asset.product_model.parts), None)
               or next((j for j in jobs if j.asset.product_model.repair_skill == skill), None)
               or (jobs[0] if jobs else None))
        if job is None:
            break
        jobs.remove(job)
        job_parts.request_part(session, job=job, part=part, quantity=1, actor=agent, now=now)


DEMO_TECHNICIAN = "tech01"


def _demo_technicians_day(session: Session, rng: random.Random, *, now, tz) -> None:
    """tech01, the account the README tells people to try, works every day from 07:00 to 22:00 and has
    three visits planned (and locked, so re-optimisation keeps them) whenever the demo is loaded."""
    from core.geo import provider_for_region
    from dispatch.intake.services import FaultReport, report_fault
    from dispatch.jobs.audit import CUSTOMER, SYSTEM
    from dispatch.jobs.models import JOB_IS_OPEN, Channel, Job
    from dispatch.planning.assignment import dispatch_job
    from dispatch.planning.moves import set_lock

    technician = session.scalar(select(Technician).join(Technician.user).where(User.username == DEMO_TECHNICIAN))
    technician.shifts = [TechnicianShift(weekday=d, start=time(7, 0), end=time(22, 0), break_earliest=time(11, 30),
                                         break_latest_end=time(14, 0), break_minutes=45) for d in range(7)]
    session.flush()
    skills = {s.skill for s in technician.skills}
    busy = set(session.scalars(select(Job.asset_id).where(JOB_IS_OPEN)))
    candidates = [a for a in session.scalars(select(Asset).where(Asset.region_id == technician.region_id)
                                             .order_by(Asset.id))
                  if a.product_model.repair_skill in skills and a.id not in busy]
    provider = provider_for_region(technician.region, osrm_url=None)
    for asset in rng.sample(candidates, k=min(3, len(candidates))):
        job = report_fault(session, asset=asset, actor=CUSTOMER, now=now, tz=tz,
                           report=FaultReport(channel=Channel.QR, fault_text=_fault_of(rng, asset, repairs_only=True),
                                              contact_name=asset.customer.name, contact_phone=asset.customer.phone)).job
        outcome = dispatch_job(session, job=job, now=now, tz=tz, provider=provider, only_technician=technician)
        if outcome.planned:
            set_lock(session, job=job, locked=True, actor=SYSTEM, now=now)


def _weekly_shifts(*, late: bool) -> list[TechnicianShift]:
    """Most technicians work Monday to Friday 08:00-17:00; one in four works Tuesday to Saturday
    10:00-19:00 so that evenings and Saturdays are covered. Lunch: 45 minutes, taken between 11:30
    and 14:00."""
    days, start, end = ((1, 2, 3, 4, 5), time(10, 0), time(19, 0)) if late else ((0, 1, 2, 3, 4), time(8, 0), time(17, 0))
    return [TechnicianShift(weekday=d, start=start, end=end, break_earliest=time(11, 30), break_latest_end=time(14, 0),
                            break_minutes=45) for d in days]


def _near(rng: random.Random, lat: float, lon: float, spread: float) -> tuple[float, float]:
    return round(rng.gauss(lat, spread), 6), round(rng.gauss(lon, spread), 6)


def _staff_name(rng: random.Random) -> str:
    """Chinese name then pinyin ("王伟 Wang Wei"): colleagues read it in either language."""
    (surname, surname_zh), (given, given_zh) = rng.choice(texts.SURNAMES), rng.choice(texts.GIVEN)
    return f"{surname_zh}{given_zh} {surname} {given}"


def _fault_of(rng: random.Random, asset: Asset, *, repairs_only: bool = False) -> str:
    """A fault that fits the appliance, in its owner's language."""
    return texts.fault_text(rng, asset.product_model, texts.language_of(asset.customer.name),
                            repairs_only=repairs_only)


def _purchase_date(rng: random.Random, today: date) -> date | None:
    roll = rng.random()
    if roll < 0.03:
        return None  # no proof of purchase on record
    if roll < 0.08:
        return today - timedelta(days=rng.randrange(0, 7))  # still returnable
    if roll < 0.13:
        return today - timedelta(days=rng.randrange(8, 15))  # exchangeable
    return today - timedelta(days=rng.randrange(16, 4 * 365))


def first_asset(session: Session) -> Asset | None:
    return session.scalar(select(Asset).order_by(Asset.id).limit(1))


def staff_logins() -> list[tuple[str, str]]:
    return [(username, role.value) for username, _, role in STAFF]
