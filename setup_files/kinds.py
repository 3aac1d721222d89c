"""What each set-up file holds: its columns (type, bounds, required, default), its natural key, the
table it fills and the files it refers to. Reading, checking, writing, exporting and docs/import.md
all follow this one description."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from sqlalchemy import Table

from core.regions import BusinessHours, Region
from core.users import Role, User
from dispatch.catalog.models import Asset, ComponentTerm, ProductModel, WarrantyPolicy
from dispatch.jobs.models import JobCategory, Priority, SlaPolicy
from dispatch.technicians.models import Technician, TechnicianDayOff, TechnicianShift, TechnicianSkill
from inventory.models import Part, RestockRule, StockLevel, Supplier, SupplierPart, Warehouse, WarehouseKind
from setup_files import values as v
from setup_files.values import Parser


@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser
    doc: str
    example: str
    required: bool = False
    default: Any = None
    # The table column the value fills; None when the writer handles it (lists, passwords, customers).
    field: str | None = ""
    # The kind whose natural key this column names (its id is stored in `field`).
    ref: str | None = None

    @cached_property
    def target(self) -> str | None:
        return self.name if self.field == "" else self.field


@dataclass(frozen=True)
class Kind:
    name: str  # the file's stem: regions.csv / regions.xlsx
    record: str  # what the audit calls one row: "region"
    table: Table
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the columns that name a row; importing the same key again updates it
    # Child kinds: the column naming the parent. A parent listed in the file gets exactly the rows the
    # file gives it (the ones it no longer lists are removed); parents not listed keep theirs.
    parent: str | None = None
    doc: str = ""
    extra_rules: tuple[str, ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @cached_property
    def db_key(self) -> tuple[str, ...]:
        return tuple(self.column(name).target for name in self.key)

    @cached_property
    def stored(self) -> tuple[Column, ...]:
        """The columns whose values the table holds (directly, or as the id of what they name)."""
        return tuple(c for c in self.columns if c.target)

    @cached_property
    def by_target(self) -> dict[str, Column]:
        return {c.target: c for c in self.stored}


ROLES = [r.value for r in Role]
WEEKDAY = v.integer(0, 6)
LAT, LON = v.number(-90, 90), v.number(-180, 180)
MINUTES = v.integer(1, 60 * 24 * 365)
SHARE = v.number(0, 1)

USERS = Kind("users", "user", User.__table__, (
    Column("username", v.code(64), "Sign-in name, unique.", "tech.wang", required=True),
    Column("display_name", v.text(120), "Name shown on pages.", "Wang Lei", required=True),
    Column("role", v.choice(ROLES), "One of " + ", ".join(ROLES) + ".", "technician", required=True),
    Column("password", v.text(128), "Required for a new user (at least 10 characters, not the username); "
           "blank keeps an existing user's password. Never exported.", "change-me-2026", field=None),
    Column("locale", v.choice(["zh_CN", "en"]), "Page language: zh_CN or en; blank follows the browser.", "zh_CN"),
    Column("email", v.email(254), "E-mail address, where an invitation's one-time link is sent.",
           "wang.lei@example.com"),
    Column("active", v.boolean, "false disables the account (its sessions end).", "true", default=True),
), key=("username",), doc="Staff accounts.")

REGIONS = Kind("regions", "region", Region.__table__, (
    Column("code", v.code(32), "Short code other files refer to.", "gusu", required=True),
    Column("name", v.text(120), "Name shown on pages.", "姑苏区", required=True),
    Column("center_lat", LAT, "Latitude of the region's centre (WGS84).", "31.311", required=True),
    Column("center_lon", LON, "Longitude of the region's centre.", "120.617", required=True),
    Column("time_zone", v.time_zone, "IANA time zone of shifts, business hours and pages.", "Asia/Shanghai",
           default="Asia/Shanghai"),
    Column("road_factor", v.number(1, 5), "Street distance ÷ straight-line distance.", "1.35", default=1.35),
    Column("speed_kmh", v.number(1, 200), "Average van speed door to door, km/h.", "28", default=28.0),
    Column("service_radius_km", v.number(0.1, 2000), "Reports farther from the centre are outside the service "
           "area; blank: no limit.", "25"),
), key=("code",), doc="Service regions: the unit dispatch plans in.")

BUSINESS_HOURS = Kind("business_hours", "business hours", BusinessHours.__table__, (
    Column("region", v.code(32), "Region code.", "gusu", required=True, field="region_id", ref="regions"),
    Column("weekday", WEEKDAY, "0 = Monday … 6 = Sunday.", "0", required=True),
    Column("opens", v.clock_time, "Local time the office opens.", "08:30", required=True),
    Column("closes", v.clock_time, "Local time it closes (after opens).", "18:00", required=True),
), key=("region", "weekday"), parent="region",
    doc="When a region's office works; SLA policies on business hours run their clocks only then. "
        "A weekday without a row is closed.")

WARRANTY_POLICIES = Kind("warranty_policies", "warranty policy", WarrantyPolicy.__table__, (
    Column("code", v.code(40), "Code product models refer to.", "major-36", required=True),
    Column("name", v.text(120), "Name shown to staff.", "大家电三包：36个月保修", required=True),
    Column("return_days", v.integer(0, 3650), "Days after purchase the customer may return it.", "7", default=7),
    Column("exchange_days", v.integer(0, 3650), "Days after purchase the customer may exchange it.", "15",
           default=15),
    Column("free_repair_months", v.integer(0, 600), "Months of free repair after purchase.", "36", default=12),
    Column("repeat_repair_limit", v.integer(1, 20), "After this many failed repairs of the same fault within the "
           "repair term the customer may choose an exchange or a refund.", "2", default=2),
), key=("code",), doc="Warranty (三包) policies.", extra_rules=("exchange_days is at least return_days.",))

COMPONENT_TERMS = Kind("warranty_component_terms", "warranty component term", ComponentTerm.__table__, (
    Column("policy", v.code(40), "Warranty policy code.", "major-36", required=True, field="policy_id",
           ref="warranty_policies"),
    Column("component", v.text(60), "The component covered longer.", "compressor", required=True),
    Column("free_repair_months", v.integer(0, 600), "Its months of free repair.", "120", required=True),
), key=("policy", "component"), parent="policy", doc="Components covered longer than the whole appliance.")

SLA_POLICIES = Kind("sla_policies", "SLA policy", SlaPolicy.__table__, (
    Column("code", v.code(40), "Unique code.", "urgent-repair", required=True),
    Column("name", v.text(120), "Name shown to staff.", "Urgent: respond in 1 h", required=True),
    Column("category", v.choice([c.value for c in JobCategory]), "Job category; blank: every category.",
           "quality_defect"),
    Column("priority", v.choice([p.value for p in Priority]), "Job priority; blank: every priority.", "urgent"),
    Column("business_hours_only", v.boolean, "Clocks run only inside the region's business hours.", "false",
           default=False),
    Column("respond_minutes", MINUTES, "Respond within this many minutes.", "60", default=120),
    Column("repair_minutes", MINUTES, "Repair within this many minutes.", "1440", default=4320),
    Column("satisfaction_target", SHARE, "Share of satisfied customers aimed at (0-1).", "0.95", default=0.95),
    Column("respond_target", SHARE, "Share of jobs that must meet the respond clock.", "0.95", default=0.95),
    Column("repair_target", SHARE, "Share of jobs that must meet the repair clock.", "0.9", default=0.90),
), key=("code",), doc="Promises on a clock; the most specific policy for a job's category and priority "
                      "applies.", extra_rules=("At most one policy per category and priority pair.",))

PARTS = Kind("parts", "part", Part.__table__, (
    Column("sku", v.code(40), "Stock-keeping unit, unique.", "P-0001", required=True),
    Column("name", v.text(160), "English name.", "Compressor 1/4 HP", required=True),
    Column("name_zh", v.text(160), "Chinese name.", "压缩机 1/4 匹", default=""),
    Column("unit_cost", v.money(), "What the part costs us.", "420.00", required=True),
    Column("customer_price", v.money(), "What a customer pays on a paid repair; blank: not sold.", "560.00"),
), key=("sku",), doc="Spare parts.")

SUPPLIERS = Kind("suppliers", "supplier", Supplier.__table__, (
    Column("code", v.code(32), "Unique code.", "SUP-HAIRUI", required=True),
    Column("name", v.text(160), "Name.", "苏州海瑞配件", required=True),
    Column("normal_lead_hours", v.integer(1, 24 * 365), "Hours from order to goods at our door.", "72",
           required=True),
    Column("expedited_lead_hours", v.integer(1, 24 * 365), "Hours when expedited (at most normal).", "20",
           required=True),
    Column("expedite_fee", v.money(), "Cost of expediting an order.", "80.00", default=Decimal("0.00")),
), key=("code",), doc="Where purchase orders go.")

SUPPLIER_PARTS = Kind("supplier_parts", "supplier part", SupplierPart.__table__, (
    Column("supplier", v.code(32), "Supplier code.", "SUP-HAIRUI", required=True, field="supplier_id",
           ref="suppliers"),
    Column("sku", v.code(40), "Part SKU.", "P-0001", required=True, field="part_id", ref="parts"),
    Column("unit_cost", v.money(), "The supplier's price.", "400.00", required=True),
), key=("supplier", "sku"), parent="supplier", doc="The parts each supplier sells, at its price.")

WAREHOUSES = Kind("warehouses", "warehouse", Warehouse.__table__, (
    Column("code", v.code(32), "Unique code.", "WH-CENTRAL", required=True),
    Column("name", v.text(160), "Name.", "相城中心仓", required=True),
    Column("kind", v.choice([k.value for k in WarehouseKind]), "central, regional or van.", "regional",
           required=True),
    Column("address", v.text(255), "Street address.", "苏州市相城区澄阳路 88 号", default=""),
    Column("latitude", LAT, "Latitude (vans: blank).", "31.369"),
    Column("longitude", LON, "Longitude (vans: blank).", "120.642"),
    Column("serves_regions", v.code_list(32), "Region codes it supplies, separated by ';'.", "gusu;sip",
           default=(), field=None),
), key=("code",), doc="Central and regional warehouses and technicians' vans.",
    extra_rules=("A central or regional warehouse has both coordinates.",))

RESTOCK_RULES = Kind("restock_rules", "restock rule", RestockRule.__table__, (
    Column("warehouse", v.code(32), "Warehouse code.", "WH-GUSU-N", required=True, field="warehouse_id",
           ref="warehouses"),
    Column("sku", v.code(40), "Part SKU.", "P-0001", required=True, field="part_id", ref="parts"),
    Column("min_quantity", v.integer(0, 1_000_000), "Reorder below this.", "2", required=True),
    Column("max_quantity", v.integer(0, 1_000_000), "Fill up to this (at least min).", "8", required=True),
    Column("reorder_multiple", v.integer(1, 10_000), "Order in multiples of this.", "2", default=1),
    Column("auto_create", v.boolean, "false: the scheduled task only proposes.", "true", default=True),
), key=("warehouse", "sku"), doc="Min/max replenishment of a part in a warehouse.")

STOCK_COUNTS = Kind("stock_counts", "stock count", StockLevel.__table__, (
    Column("warehouse", v.code(32), "Warehouse code.", "WH-CENTRAL", required=True, field="warehouse_id",
           ref="warehouses"),
    Column("sku", v.code(40), "Part SKU.", "P-0001", required=True, field="part_id", ref="parts"),
    Column("on_hand", v.integer(0, 1_000_000), "Good units counted there. The difference to the current level is "
           "booked through the stock ledger (a receipt for a new level, an adjustment otherwise).", "30",
           required=True),
), key=("warehouse", "sku"), doc="Opening stock and stock counts.",
    extra_rules=("A count may not be below the units already reserved for jobs or transfers.",))

PRODUCT_MODELS = Kind("product_models", "product model", ProductModel.__table__, (
    Column("code", v.code(40), "Model code, unique.", "RF-420", required=True),
    Column("name", v.text(160), "English name.", "FrostLine 420 L fridge-freezer", required=True),
    Column("name_zh", v.text(160), "Chinese name.", "冰川 420 升对开门冰箱", default=""),
    Column("category", v.text(60), "Appliance category.", "refrigerator", required=True),
    Column("product_line", v.text(60), "Product line.", "cooling", required=True),
    Column("warranty_policy", v.code(40), "Warranty policy code.", "major-36", required=True,
           field="warranty_policy_id", ref="warranty_policies"),
    Column("repair_skill", v.code(40), "Skill a technician needs to repair it.", "refrigeration", required=True),
    Column("min_skill_level", v.integer(1, 3), "Lowest level of that skill sent (1 trainee … 3 expert).", "2",
           default=1),
    Column("service_minutes", v.integer(5, 24 * 60), "Typical time on site.", "60", default=45),
    Column("parts", v.code_list(40, 500), "Bill of materials: SKUs of the parts that fit, separated by ';'.",
           "P-0001;P-0002", default=(), field=None),
), key=("code",), doc="Product models, their repair skill and bill of materials.")

TECHNICIANS = Kind("technicians", "technician", Technician.__table__, (
    Column("username", v.code(64), "The technician's user (role technician), in users.csv or already there.",
           "tech.wang", required=True, field="user_id", ref="users"),
    Column("region", v.code(32), "Region code.", "gusu", required=True, field="region_id", ref="regions"),
    Column("home_lat", LAT, "Latitude of the home base.", "31.32", required=True),
    Column("home_lon", LON, "Longitude of the home base.", "120.61", required=True),
    Column("home_address", v.text(255), "Address of the home base.", "苏州市姑苏区人民路 100 号", default=""),
    Column("daily_job_cap", v.integer(1, 50), "Most jobs a day.", "8", default=8),
    Column("van", v.code(32), "Code of their van (a warehouse of kind van); blank: none.", "VAN-01",
           field="van_warehouse_id", ref="warehouses"),
), key=("username",), doc="Technician profiles.", extra_rules=("A van belongs to one technician.",))

TECHNICIAN_SKILLS = Kind("technician_skills", "technician skill", TechnicianSkill.__table__, (
    Column("username", v.code(64), "The technician.", "tech.wang", required=True, field="technician_id",
           ref="technicians"),
    Column("skill", v.code(40), "Skill (what product models name as repair_skill).", "refrigeration",
           required=True),
    Column("level", v.integer(1, 3), "1 trainee, 2 qualified, 3 expert.", "2", default=2),
    Column("certified_until", v.day, "Last day the certification is valid; blank: does not expire. "
           "An expired skill is not dispatched.", "2027-12-31"),
), key=("username", "skill"), parent="username", doc="Skills of technicians, with level and certification.")

TECHNICIAN_SHIFTS = Kind("technician_shifts", "technician shift", TechnicianShift.__table__, (
    Column("username", v.code(64), "The technician.", "tech.wang", required=True, field="technician_id",
           ref="technicians"),
    Column("weekday", WEEKDAY, "0 = Monday … 6 = Sunday.", "0", required=True),
    Column("start", v.clock_time, "Local start time.", "08:00", required=True),
    Column("end", v.clock_time, "Local end time (after start).", "17:00", required=True),
    Column("break_earliest", v.clock_time, "Lunch break: earliest start.", "11:30"),
    Column("break_latest_end", v.clock_time, "Lunch break: latest end.", "14:00"),
    Column("break_minutes", v.integer(0, 240), "Lunch break length.", "45", default=0),
), key=("username", "weekday"), parent="username", doc="Weekly working hours.",
    extra_rules=("A break lies inside the shift and fits its window.",))

TECHNICIAN_DAYS_OFF = Kind("technician_days_off", "technician day off", TechnicianDayOff.__table__, (
    Column("username", v.code(64), "The technician.", "tech.wang", required=True, field="technician_id",
           ref="technicians"),
    Column("day", v.day, "The day off.", "2026-12-25", required=True),
    Column("reason", v.text(120), "Why (holiday, training, sick leave).", "年假", default=""),
), key=("username", "day"), parent="username", doc="Days off and absences.")

ASSETS = Kind("assets", "asset", Asset.__table__, (
    Column("serial", v.code(64), "Serial number, unique.", "RF-420-2600001", required=True),
    Column("model", v.code(40), "Product model code.", "RF-420", required=True, field="product_model_id",
           ref="product_models"),
    Column("customer_name", v.text(120), "Owner's name.", "张伟", required=True, field=None),
    Column("customer_phone", v.text(32), "Owner's phone; appliances with the same name and phone share one "
           "customer.", "+86 138 0000 0001", required=True, field=None),
    Column("customer_email", v.text(254), "Owner's e-mail.", "zhang@example.com", field=None),
    Column("region", v.code(32), "Region code.", "gusu", field="region_id", ref="regions"),
    Column("address", v.text(255), "Where the appliance is installed.", "苏州市姑苏区十全街 12 号 3 幢 201 室",
           required=True),
    Column("latitude", LAT, "Latitude of the address.", "31.30", required=True),
    Column("longitude", LON, "Longitude of the address.", "120.63", required=True),
    Column("purchase_date", v.day, "Day of purchase (warranty runs from it).", "2026-03-01"),
    Column("installed_on", v.day, "Day of installation.", "2026-03-03"),
    Column("qr_token", v.code(64), "The token its QR label holds; blank on a new asset: one is made. Keep it "
           "when re-importing, or printed labels stop working.", "x1Y2z3…"),
    Column("report_url", v.text(400), "Export only: the URL the QR label holds (ignored on import).",
           "https://service.example.com/r/x1Y2z3…", field=None),
), key=("serial",), doc="Registered appliances and their owners.")

# In the order they are written: every kind after the kinds it refers to.
KINDS: tuple[Kind, ...] = (USERS, REGIONS, BUSINESS_HOURS, WARRANTY_POLICIES, COMPONENT_TERMS, SLA_POLICIES, PARTS,
                           SUPPLIERS, SUPPLIER_PARTS, WAREHOUSES, RESTOCK_RULES, STOCK_COUNTS, PRODUCT_MODELS,
                           TECHNICIANS,
                           TECHNICIAN_SKILLS, TECHNICIAN_SHIFTS, TECHNICIAN_DAYS_OFF, ASSETS)
BY_NAME = {kind.name: kind for kind in KINDS}
# The list columns other than references: which codes they hold.
LIST_REFS = {("warehouses", "serves_regions"): "regions", ("product_models", "parts"): "parts"}
