"""What each set-up page lists and asks for: its columns, its form's inputs, and how a record fills
the form again for editing. The views (api/setup/pages.py) are the same for every kind."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from api.database import db
from api.setup import price_schemas, schemas
from api.setup.forms import Input
from api.setup.roles import (
    CATALOGUE_READERS,
    CATALOGUE_WRITERS,
    STOCK_SETUP_READERS,
    STOCK_SETUP_WRITERS,
    WAREHOUSE_READERS,
    WAREHOUSE_WRITERS,
)
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.regions import Region
from core.users import Role
from dispatch.catalog import setup as catalog
from dispatch.jobs import sla_setup
from dispatch.jobs.models import JobCategory, Priority
from dispatch.quotes import prices
from inventory import setup as stock_setup
from inventory.models import Part, Warehouse, WarehouseKind

CATEGORY_NAMES = {JobCategory.QUALITY_DEFECT: _l("Quality defect"), JobCategory.USAGE_QUESTION: _l("Usage question"),
                  JobCategory.RETURN_EXCHANGE: _l("Return or exchange"), JobCategory.INSTALLATION: _l("Installation")}
PRIORITY_NAMES = {Priority.URGENT: _l("Urgent"), Priority.HIGH: _l("High"), Priority.NORMAL: _l("Normal")}
KIND_NAMES = {WarehouseKind.CENTRAL: _l("Central warehouse"), WarehouseKind.REGIONAL: _l("Regional warehouse"),
              WarehouseKind.VAN: _l("Van")}
LEVEL_NAMES = {1: _l("1 · trainee"), 2: _l("2 · skilled"), 3: _l("3 · expert")}


@dataclass(frozen=True)
class Column:
    label: Any
    value: Callable[[Any], Any]
    css: str = ""


@dataclass(frozen=True)
class PageKind:
    slug: str  # URL part and endpoint stem: "product_models"
    title: Any  # the list's heading
    new_title: Any
    edit_title: Any  # with %(key)s
    hint: Any
    key: str
    schema: type
    readers: tuple[Role, ...]
    writers: tuple[Role, ...]
    query: Callable
    lookup: Callable
    create: Callable
    update: Callable
    columns: list[Column]
    inputs: Callable[[], list[Input]]  # made per request: the options come from the database
    shown: Callable[[Any], dict[str, Any]]  # a record as the form shows it
    search_hint: Any = field(default_factory=lambda: _l("Code or name"))
    key_of: Callable[[Any], str] | None = None  # the record's key in its address; default: the key field

    def key_for(self, record) -> str:
        return self.key_of(record) if self.key_of else getattr(record, self.key)


def _text(value) -> str:
    return "" if value is None else str(value)


def _policies() -> list[tuple[str, Any]]:
    return [(p.code, f"{p.code} — {p.name}") for p in db().scalars(catalog.warranty_policies_query().limit(500))]


def _parts() -> list[tuple[str, Any]]:
    return [(p.sku, f"{p.sku} — {p.name}" + (f" / {p.name_zh}" if p.name_zh else ""))
            for p in db().scalars(select(Part).order_by(Part.sku).limit(2000))]


def _models() -> list[tuple[str, Any]]:
    return [(m.code, f"{m.code} — {m.name}" + (f" / {m.name_zh}" if m.name_zh else "")) for m in db().scalars(catalog.product_models_query().limit(2000))]


def _regions() -> list[tuple[str, Any]]:
    return [(r.code, f"{r.code} — {r.name}") for r in db().scalars(select(Region).order_by(Region.code).limit(500))]


def _warehouses() -> list[tuple[str, Any]]:
    return [(w.code, f"{w.code} — {w.name}") for w in db().scalars(select(Warehouse).order_by(Warehouse.code).limit(2000))]


def _days(n: int) -> str:
    return _("%(n)s days", n=n)


def _months(n: int) -> str:
    return _("%(n)s months", n=n)


def _minutes(n: int) -> str:
    return _("%(h)s h", h=f"{n / 60:g}") if n % 30 == 0 and n >= 60 else _("%(n)s min", n=n)


# --- warranty policies ---

def _policy_inputs() -> list[Input]:
    return [
        Input("code", _l("Code"), required=True, max_length=40, edit_only_readable=True),
        Input("name", _l("Name"), required=True, max_length=120),
        Input("return_days", _l("Return within (days)"), "number", hint=_l("Full refund for a fault in this period (三包: 7).")),
        Input("exchange_days", _l("Exchange within (days)"), "number", hint=_l("A new appliance for a fault in this period (三包: 15).")),
        Input("free_repair_months", _l("Free repair (months)"), "number"),
        Input("repeat_repair_limit", _l("Failed repairs before exchange or refund"), "number",
              hint=_l("After this many failed repairs of the same fault within the repair term the customer may choose an exchange or a refund.")),
        Input("component_terms", _l("Components covered longer"), "rows",
              hint=_l("For example the compressor, 36 months."),
              columns=(Input("component", _l("Component"), max_length=60),
                       Input("free_repair_months", _l("Months"), "number"))),
    ]


def _policy_shown(policy) -> dict[str, Any]:
    return {"code": policy.code, "name": policy.name, "return_days": str(policy.return_days),
            "exchange_days": str(policy.exchange_days), "free_repair_months": str(policy.free_repair_months),
            "repeat_repair_limit": str(policy.repeat_repair_limit),
            "component_terms": [{"component": t.component, "free_repair_months": str(t.free_repair_months)}
                                for t in policy.component_terms]}


WARRANTY_POLICIES = PageKind(
    "warranty_policies", _l("Warranty policies (三包)"), _l("New warranty policy"), _l("Warranty policy %(key)s"),
    _l("Return, exchange and free-repair periods, and the components covered longer."), "code",
    schemas.WarrantyPolicyInSchema, CATALOGUE_READERS, CATALOGUE_WRITERS, catalog.warranty_policies_query,
    catalog.warranty_policy_named, catalog.create_warranty_policy, catalog.update_warranty_policy,
    [Column(_l("Code"), lambda p: p.code, "mono"), Column(_l("Name"), lambda p: p.name),
     Column(_l("Return"), lambda p: _days(p.return_days), "num"),
     Column(_l("Exchange"), lambda p: _days(p.exchange_days), "num"),
     Column(_l("Free repair"), lambda p: _months(p.free_repair_months), "num"),
     Column(_l("Components"), lambda p: ", ".join(f"{t.component} {_months(t.free_repair_months)}"
                                                  for t in p.component_terms) or "—"),
     Column(_l("Exchange after"), lambda p: _("%(n)s failed repairs", n=p.repeat_repair_limit))],
    _policy_inputs, _policy_shown)


# --- product models ---

def _model_inputs() -> list[Input]:
    return [
        Input("code", _l("Model code"), required=True, max_length=40, edit_only_readable=True),
        Input("name", _l("Name"), required=True, max_length=160),
        Input("name_zh", _l("Name in Chinese"), max_length=160),
        Input("category", _l("Category"), required=True, max_length=60, hint=_l("For example refrigerator, washer, air conditioner.")),
        Input("product_line", _l("Product line"), max_length=60),
        Input("repair_skill", _l("Skill needed to repair"), required=True, max_length=40, hint=_l("For example refrigeration.")),
        Input("min_skill_level", _l("Lowest skill level sent"), "select", required=True, whole_number=True,
              options=lambda: [(str(n), name) for n, name in LEVEL_NAMES.items()]),
        Input("service_minutes", _l("Typical service time (minutes)"), "number"),
        Input("warranty_policy", _l("Warranty policy"), "select", required=True, options=_policies),
        Input("parts", _l("Parts that fit this model"), "choices", options=_parts,
              hint=_l("The bill of materials: technicians are offered these parts for the job.")),
    ]


def _model_shown(model) -> dict[str, Any]:
    return {"code": model.code, "name": model.name, "name_zh": model.name_zh, "category": model.category,
            "product_line": model.product_line,
            "repair_skill": model.repair_skill, "min_skill_level": str(model.min_skill_level),
            "service_minutes": str(model.service_minutes), "warranty_policy": model.warranty_policy.code,
            "parts": [p.sku for p in model.parts]}


PRODUCT_MODELS = PageKind(
    "product_models", _l("Product models"), _l("New product model"), _l("Product model %(key)s"),
    _l("What is sold and serviced: the skill it needs, its warranty, and the parts that fit it."), "code",
    schemas.ProductModelInSchema, CATALOGUE_READERS, CATALOGUE_WRITERS, catalog.product_models_query,
    catalog.product_model_named, catalog.create_product_model, catalog.update_product_model,
    [Column(_l("Code"), lambda m: m.code, "mono"), Column(_l("Name"), lambda m: m.name),
     Column(_l("Name in Chinese"), lambda m: m.name_zh or "—"), Column(_l("Category"), lambda m: m.category),
     Column(_l("Skill"), lambda m: f"{m.repair_skill} ≥ {m.min_skill_level}"),
     Column(_l("Service time"), lambda m: _minutes(m.service_minutes), "num"),
     Column(_l("Warranty"), lambda m: m.warranty_policy.code, "mono"),
     Column(_l("Parts"), lambda m: ", ".join(sorted(p.sku for p in m.parts)) or "—", "small")],
    _model_inputs, _model_shown, _l("Code, name or category"))


# --- SLA policies ---

def _sla_inputs() -> list[Input]:
    return [
        Input("code", _l("Code"), required=True, max_length=40, edit_only_readable=True),
        Input("name", _l("Name"), required=True, max_length=120),
        Input("category", _l("Job category"), "select",
              options=lambda: [("", _l("Any category"))] + [(c.value, n) for c, n in CATEGORY_NAMES.items()]),
        Input("priority", _l("Priority"), "select",
              options=lambda: [("", _l("Any priority"))] + [(p.value, n) for p, n in PRIORITY_NAMES.items()]),
        Input("respond_minutes", _l("Respond within (minutes)"), "number"),
        Input("repair_minutes", _l("Repair within (minutes)"), "number", hint=_l("3 days are 4320 minutes.")),
        Input("business_hours_only", _l("Clocks run only in the region's business hours"), "check"),
        Input("respond_target", _l("Share of jobs answered in time"), "decimal", hint=_l("0.95 is 95 %.")),
        Input("repair_target", _l("Share of jobs repaired in time"), "decimal"),
        Input("satisfaction_target", _l("Satisfaction target"), "decimal"),
    ]


def _sla_shown(policy) -> dict[str, Any]:
    return {"code": policy.code, "name": policy.name, "category": policy.category.value if policy.category else "",
            "priority": policy.priority.value if policy.priority else "",
            "respond_minutes": str(policy.respond_minutes), "repair_minutes": str(policy.repair_minutes),
            "business_hours_only": policy.business_hours_only, "respond_target": f"{policy.respond_target:g}",
            "repair_target": f"{policy.repair_target:g}", "satisfaction_target": f"{policy.satisfaction_target:g}"}


def _percent(share: float) -> str:
    return f"{share * 100:g} %"


SLA_POLICIES = PageKind(
    "sla_policies", _l("SLA policies"), _l("New SLA policy"), _l("SLA policy %(key)s"),
    _l("Respond and repair targets by job category and priority; the most specific policy applies."), "code",
    schemas.SlaPolicyInSchema, CATALOGUE_READERS, CATALOGUE_WRITERS, sla_setup.sla_policies_query,
    sla_setup.sla_policy_named, sla_setup.create_sla_policy, sla_setup.update_sla_policy,
    [Column(_l("Code"), lambda p: p.code, "mono"), Column(_l("Name"), lambda p: p.name),
     Column(_l("Job category"), lambda p: CATEGORY_NAMES[p.category] if p.category else _("Any category")),
     Column(_l("Priority"), lambda p: PRIORITY_NAMES[p.priority] if p.priority else _("Any priority")),
     Column(_l("Respond"), lambda p: _minutes(p.respond_minutes), "num"),
     Column(_l("Repair"), lambda p: _minutes(p.repair_minutes), "num"),
     Column(_l("Business hours only"), lambda p: _("Yes") if p.business_hours_only else _("No")),
     Column(_l("Satisfaction"), lambda p: _percent(p.satisfaction_target), "num")],
    _sla_inputs, _sla_shown)


# --- warehouses ---

def _warehouse_inputs() -> list[Input]:
    return [
        Input("code", _l("Code"), required=True, max_length=32, edit_only_readable=True),
        Input("name", _l("Name"), required=True, max_length=160),
        Input("kind", _l("Kind"), "select", required=True,
              options=lambda: [(k.value, n) for k, n in KIND_NAMES.items()]),
        Input("address", _l("Address"), max_length=255),
        Input("latitude", _l("Latitude"), "decimal", hint=_l("A van's position comes from its technician.")),
        Input("longitude", _l("Longitude"), "decimal"),
        Input("regions", _l("Regions it serves"), "choices", options=_regions),
    ]


def _warehouse_shown(warehouse) -> dict[str, Any]:
    return {"code": warehouse.code, "name": warehouse.name, "kind": warehouse.kind.value,
            "address": warehouse.address, "latitude": _text(warehouse.latitude),
            "longitude": _text(warehouse.longitude), "regions": [r.code for r in warehouse.serves_regions]}


WAREHOUSES = PageKind(
    "warehouses", _l("Warehouses"), _l("New warehouse"), _l("Warehouse %(key)s"),
    _l("The central warehouse, regional depots and technicians' vans."), "code",
    schemas.WarehouseInSchema, WAREHOUSE_READERS, WAREHOUSE_WRITERS, stock_setup.warehouses_query,
    stock_setup.warehouse_named, stock_setup.create_warehouse, stock_setup.update_warehouse,
    [Column(_l("Code"), lambda w: w.code, "mono"), Column(_l("Name"), lambda w: w.name),
     Column(_l("Kind"), lambda w: KIND_NAMES[w.kind]), Column(_l("Address"), lambda w: w.address or "—"),
     Column(_l("Regions it serves"), lambda w: ", ".join(sorted(r.code for r in w.serves_regions)) or "—")],
    _warehouse_inputs, _warehouse_shown, _l("Code, name or address"))


# --- parts ---

def _part_inputs() -> list[Input]:
    return [
        Input("sku", _l("SKU"), required=True, max_length=40, edit_only_readable=True),
        Input("name", _l("Name in English"), required=True, max_length=160),
        Input("name_zh", _l("Name in Chinese"), max_length=160),
        Input("unit_cost", _l("Unit cost (CNY)"), "decimal", required=True),
        Input("customer_price", _l("Customer price (CNY)"), "decimal",
              hint=_l("What a customer pays on a paid repair; leave empty if not sold to customers.")),
    ]


def _part_shown(part) -> dict[str, Any]:
    return {"sku": part.sku, "name": part.name, "name_zh": part.name_zh, "unit_cost": str(part.unit_cost),
            "customer_price": _text(part.customer_price)}


PARTS = PageKind(
    "parts", _l("Parts"), _l("New part"), _l("Part %(key)s"),
    _l("Spare parts with their names in both languages, what they cost us and what a customer pays."), "sku",
    schemas.PartInSchema, STOCK_SETUP_READERS, STOCK_SETUP_WRITERS, stock_setup.parts_query,
    stock_setup.part_with_sku, stock_setup.create_part, stock_setup.update_part,
    [Column(_l("SKU"), lambda p: p.sku, "mono"), Column(_l("Name in English"), lambda p: p.name),
     Column(_l("Name in Chinese"), lambda p: p.name_zh or "—"),
     Column(_l("Unit cost (CNY)"), lambda p: p.unit_cost, "num"),
     Column(_l("Customer price (CNY)"), lambda p: _text(p.customer_price) or "—", "num")],
    _part_inputs, _part_shown, _l("SKU or name"))


# --- suppliers ---

def _supplier_inputs() -> list[Input]:
    return [
        Input("code", _l("Code"), required=True, max_length=32, edit_only_readable=True),
        Input("name", _l("Name"), required=True, max_length=160),
        Input("normal_lead_hours", _l("Normal lead time (hours)"), "number", required=True),
        Input("expedited_lead_hours", _l("Expedited lead time (hours)"), "number", required=True),
        Input("expedite_fee", _l("Expedite fee (CNY)"), "decimal"),
        Input("parts", _l("Parts it supplies"), "rows",
              columns=(Input("sku", _l("SKU"), max_length=40, extra={"list": "part-skus"}),
                       Input("unit_cost", _l("Unit cost (CNY)"), "decimal"))),
    ]


def _supplier_shown(supplier) -> dict[str, Any]:
    return {"code": supplier.code, "name": supplier.name, "normal_lead_hours": str(supplier.normal_lead_hours),
            "expedited_lead_hours": str(supplier.expedited_lead_hours), "expedite_fee": str(supplier.expedite_fee),
            "parts": [{"sku": line.part.sku, "unit_cost": str(line.unit_cost)}
                      for line in stock_setup.supplied_parts(db(), supplier)]}


def _hours(n: int) -> str:
    return _("%(n)s h", n=n)


SUPPLIERS = PageKind(
    "suppliers", _l("Suppliers"), _l("New supplier"), _l("Supplier %(key)s"),
    _l("Where purchase orders go: lead times, the expedited option and its fee, and the parts they sell."), "code",
    schemas.SupplierInSchema, STOCK_SETUP_READERS, STOCK_SETUP_WRITERS, stock_setup.suppliers_query,
    stock_setup.supplier_named, stock_setup.create_supplier, stock_setup.update_supplier,
    [Column(_l("Code"), lambda s: s.code, "mono"), Column(_l("Name"), lambda s: s.name),
     Column(_l("Normal lead time"), lambda s: _hours(s.normal_lead_hours), "num"),
     Column(_l("Expedited lead time"), lambda s: _hours(s.expedited_lead_hours), "num"),
     Column(_l("Expedite fee (CNY)"), lambda s: s.expedite_fee, "num"),
     Column(_l("Parts"), lambda s: ", ".join(line.part.sku for line in stock_setup.supplied_parts(db(), s)) or "—",
            "small")],
    _supplier_inputs, _supplier_shown)


# --- assets ---

def _asset_inputs() -> list[Input]:
    return [
        Input("serial", _l("Serial number"), required=True, max_length=64, edit_only_readable=True),
        Input("model", _l("Product model"), "select", required=True, options=_models),
        Input("customer_name", _l("Customer name"), required=True, max_length=120),
        Input("customer_phone", _l("Customer phone"), required=True, max_length=32),
        Input("customer_email", _l("Customer e-mail"), max_length=254),
        Input("region", _l("Region"), "select", options=lambda: [("", _l("No region"))] + _regions()),
        Input("address", _l("Address"), required=True, max_length=255),
        Input("latitude", _l("Latitude"), "decimal", required=True),
        Input("longitude", _l("Longitude"), "decimal", required=True),
        Input("purchase_date", _l("Purchase date"), "date", hint=_l("The warranty runs from this date.")),
        Input("installed_on", _l("Installed on"), "date"),
    ]


def _asset_shown(asset) -> dict[str, Any]:
    return {"serial": asset.serial, "model": asset.product_model.code, "customer_name": asset.customer.name,
            "customer_phone": asset.customer.phone, "customer_email": _text(asset.customer.email),
            "region": asset.region.code if asset.region else "", "address": asset.address,
            "latitude": _text(asset.latitude), "longitude": _text(asset.longitude),
            "purchase_date": _text(asset.purchase_date), "installed_on": _text(asset.installed_on)}


ASSETS = PageKind(
    "assets", _l("Registered appliances"), _l("Register an appliance"), _l("Appliance %(key)s"),
    _l("Each appliance's QR label opens its fault report; print labels for the appliances listed or ticked."),
    "serial", schemas.AssetInSchema, CATALOGUE_READERS, CATALOGUE_WRITERS, catalog.assets_query,
    catalog.asset_with_serial, catalog.register_asset, catalog.update_asset,
    [Column(_l("Serial number"), lambda a: a.serial, "mono"), Column(_l("Model"), lambda a: a.product_model.code, "mono"),
     Column(_l("Customer"), lambda a: f"{a.customer.name} · {a.customer.phone}"),
     Column(_l("Address"), lambda a: a.address),
     Column(_l("Purchase date"), lambda a: _text(a.purchase_date) or "—")],
    _asset_inputs, _asset_shown, _l("Serial, customer, phone, address or model"))


# --- restock rules (inventory.restock.save_rule keeps their rules; the warehouse's rules page is the
# same data seen beside the stock) ---

RULE_KEY_SEPARATOR = "~"  # never in a code or SKU (schemas.CODE_PATTERN), so "WH-1~P-0001" splits back


def _rule_key(rule) -> str:
    return f"{rule.warehouse.code}{RULE_KEY_SEPARATOR}{rule.part.sku}"


def _rule_named(session, key: str):
    warehouse, _sep, sku = key.partition(RULE_KEY_SEPARATOR)
    return stock_setup.restock_rule_for(session, warehouse=warehouse, sku=sku)


def _create_rule(session, **values):
    return stock_setup.save_restock_rule(session, **values)[0]


def _update_rule(session, rule, *, actor, now, **changes):
    values = {name: getattr(rule, name) for name in stock_setup.RULE_FIELDS} | changes
    values.pop("warehouse", None), values.pop("sku", None)
    return stock_setup.save_restock_rule(session, warehouse=rule.warehouse.code, sku=rule.part.sku, actor=actor,
                                         now=now, **values)[0]


def _rule_inputs() -> list[Input]:
    return [
        Input("warehouse", _l("Warehouse"), "select", required=True, options=_warehouses, edit_only_readable=True),
        Input("sku", _l("SKU"), required=True, max_length=40, edit_only_readable=True, extra={"list": "part-skus"}),
        Input("min_quantity", _l("Minimum"), "number", required=True,
              hint=_l("Below this (counting what is on its way) the warehouse is restocked.")),
        Input("max_quantity", _l("Maximum"), "number", required=True),
        Input("reorder_multiple", _l("Order in multiples of"), "number"),
        Input("auto_create", _l("Create the orders automatically (otherwise only propose them)"), "check"),
    ]


def _rule_shown(rule) -> dict[str, Any]:
    return {"warehouse": rule.warehouse.code, "sku": rule.part.sku, "min_quantity": str(rule.min_quantity),
            "max_quantity": str(rule.max_quantity), "reorder_multiple": str(rule.reorder_multiple),
            "auto_create": rule.auto_create}


RESTOCK_RULES = PageKind(
    "restock_rules", _l("Restock rules"), _l("New restock rule"), _l("Restock rule %(key)s"),
    _l("Keep each warehouse between a minimum and a maximum of a part, ordering in multiples."), "key",
    schemas.RestockRuleSetupSchema, STOCK_SETUP_READERS, STOCK_SETUP_WRITERS, stock_setup.restock_rules_query,
    _rule_named, _create_rule, _update_rule,
    [Column(_l("Warehouse"), lambda r: r.warehouse.code, "mono"), Column(_l("SKU"), lambda r: r.part.sku, "mono"),
     Column(_l("Part"), lambda r: r.part.name), Column(_l("Minimum"), lambda r: r.min_quantity, "num"),
     Column(_l("Maximum"), lambda r: r.max_quantity, "num"),
     Column(_l("Order in multiples of"), lambda r: r.reorder_multiple, "num"),
     Column(_l("Orders"), lambda r: _("Automatic") if r.auto_create else _("Proposed"))],
    _rule_inputs, _rule_shown, _l("Warehouse, SKU or part name"), key_of=_rule_key)


# --- the price list of paid repairs (dispatch.quotes.prices); parts carry their own customer price ---

def _price_inputs() -> list[Input]:
    return [
        Input("code", _l("Code"), required=True, max_length=40, edit_only_readable=True),
        Input("name", _l("Name"), required=True, max_length=120),
        Input("skill", _l("Skill"), required=True, max_length=40,
              hint=_l("The product model's repair skill, for example refrigeration.")),
        Input("category", _l("Job category"), "select",
              options=lambda: [("", _l("Any category"))] + [(c.value, n) for c, n in CATEGORY_NAMES.items()]),
        Input("labour", _l("Labour (CNY)"), "decimal", required=True),
        Input("call_out_fee", _l("Call-out fee (CNY)"), "decimal",
              hint=_l("Owed when the customer declines the quote after the technician's visit.")),
    ]


def _price_shown(price) -> dict[str, Any]:
    return {"code": price.code, "name": price.name, "skill": price.skill,
            "category": price.category.value if price.category else "", "labour": str(price.labour),
            "call_out_fee": str(price.call_out_fee)}


LABOUR_PRICES = PageKind(
    "labour_prices", _l("Price list"), _l("New labour price"), _l("Labour price %(key)s"),
    _l("What a paid repair's labour costs by skill and job category, and the call-out fee a declined quote "
       "still costs. Parts are priced on each part."), "code",
    price_schemas.LabourPriceInSchema, CATALOGUE_READERS, CATALOGUE_WRITERS, prices.labour_prices_query,
    prices.labour_price_named, prices.create_labour_price, prices.update_labour_price,
    [Column(_l("Code"), lambda p: p.code, "mono"), Column(_l("Name"), lambda p: p.name),
     Column(_l("Skill"), lambda p: p.skill),
     Column(_l("Job category"), lambda p: CATEGORY_NAMES[p.category] if p.category else _("Any category")),
     Column(_l("Labour (CNY)"), lambda p: p.labour, "num"),
     Column(_l("Call-out fee (CNY)"), lambda p: p.call_out_fee, "num")],
    _price_inputs, _price_shown, _l("Code, name or skill"))


KINDS = {kind.slug: kind for kind in (PRODUCT_MODELS, WARRANTY_POLICIES, SLA_POLICIES, WAREHOUSES, PARTS, SUPPLIERS,
                                      RESTOCK_RULES, ASSETS, LABOUR_PRICES)}
