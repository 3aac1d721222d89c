"""Administration of the catalogue: warranty (三包) policies with their component terms, product models
with their bill of parts, and registered appliances. Each change is checked against what is already
there (natural keys, references), flushed, and audited with who, when and what changed."""
from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from core.admin_audit import diff, record_change, record_update
from core.i18n import gettext as _
from core.regions import Region
from core.setup_refusals import AlreadyExists, SetupNotFound, SetupRefused
from dispatch.catalog.models import Asset, ComponentTerm, Customer, ProductModel, WarrantyPolicy
from inventory.models import Part

POLICY_FIELDS = ("name", "return_days", "exchange_days", "free_repair_months", "repeat_repair_limit")
MODEL_FIELDS = ("name", "name_zh", "category", "product_line", "repair_skill", "min_skill_level", "service_minutes")


def matching(column_values: list, text: str | None):
    """A case-insensitive 'contains' over the columns; % and _ typed by a person are literal."""
    needle = (text or "").strip().lower()
    return or_(*(func.lower(column).contains(needle, autoescape=True) for column in column_values))


# --- warranty policies ---

def warranty_policy_named(session: Session, code: str) -> WarrantyPolicy:
    policy = session.scalar(select(WarrantyPolicy).where(WarrantyPolicy.code == code))
    if policy is None:
        raise SetupNotFound(_("No warranty policy %(code)s.", code=code))
    return policy


def warranty_policies_query(*, search: str | None = None) -> Select:
    query = select(WarrantyPolicy).options(selectinload(WarrantyPolicy.component_terms)).order_by(WarrantyPolicy.code)
    return query.where(matching([WarrantyPolicy.code, WarrantyPolicy.name], search)) if search else query


def _policy_state(policy: WarrantyPolicy) -> dict[str, Any]:
    return {**{name: getattr(policy, name) for name in POLICY_FIELDS},
            "component_terms": {term.component: term.free_repair_months for term in policy.component_terms}}


def _check_policy(values: dict[str, Any]) -> None:
    if values["exchange_days"] < values["return_days"]:
        # 三包: within the return period the customer may also exchange, so exchange lasts at least as long.
        raise SetupRefused(_("The exchange period cannot be shorter than the return period."), field="exchange_days")
    names = [name.strip().lower() for name in values["component_terms"]]
    if len(set(names)) != len(names):
        raise SetupRefused(_("Each component may have one term only."), field="component_terms")


def create_warranty_policy(session: Session, *, code: str, actor: str, now: datetime, name: str,
                           return_days: int = 7, exchange_days: int = 15, free_repair_months: int = 12,
                           repeat_repair_limit: int = 2, component_terms: dict[str, int] | None = None
                           ) -> WarrantyPolicy:
    if session.scalar(select(WarrantyPolicy.id).where(WarrantyPolicy.code == code)) is not None:
        raise AlreadyExists(_("A warranty policy %(code)s already exists.", code=code), field="code")
    policy = WarrantyPolicy(code=code)
    session.add(policy)
    return _write_policy(session, policy, {}, actor=actor, now=now, action="create", values={
        "name": name, "return_days": return_days, "exchange_days": exchange_days, "free_repair_months": free_repair_months,
        "repeat_repair_limit": repeat_repair_limit, "component_terms": component_terms or {}})


def update_warranty_policy(session: Session, policy: WarrantyPolicy, *, actor: str, now: datetime,
                           **changes: Any) -> WarrantyPolicy:
    before = _policy_state(policy)
    return _write_policy(session, policy, before, actor=actor, now=now, action="update",
                         values={**before, **changes})


def _write_policy(session: Session, policy: WarrantyPolicy, before: dict, *, actor: str, now: datetime,
                  action: str, values: dict[str, Any]) -> WarrantyPolicy:
    _check_policy(values)
    for name in POLICY_FIELDS:
        setattr(policy, name, values[name])
    terms = values["component_terms"]
    kept = {term.component: term for term in policy.component_terms if term.component in terms}
    policy.component_terms = [kept.get(component) or ComponentTerm(component=component) for component in terms]
    for term in policy.component_terms:
        term.free_repair_months = terms[term.component]
    session.flush()
    after = _policy_state(policy)
    changed = diff(before, after) if action == "update" else after
    if changed:  # a form sent back untouched is no change
        record_change(session, actor=actor, at=now, kind="warranty_policy", key=policy.code, action=action,
                      changes=changed)
    return policy


# --- product models ---

def product_model_named(session: Session, code: str) -> ProductModel:
    model = session.scalar(select(ProductModel).where(ProductModel.code == code))
    if model is None:
        raise SetupNotFound(_("No product model %(code)s.", code=code))
    return model


def product_models_query(*, search: str | None = None) -> Select:
    # A page of models shows each one's policy and parts: loaded in two queries, not two per model.
    query = (select(ProductModel).options(selectinload(ProductModel.parts), selectinload(ProductModel.warranty_policy))
             .order_by(ProductModel.code))
    if search:
        query = query.where(matching([ProductModel.code, ProductModel.name, ProductModel.name_zh,
                                      ProductModel.category], search))
    return query


def _model_state(model: ProductModel) -> dict[str, Any]:
    return {**{name: getattr(model, name) for name in MODEL_FIELDS},
            "warranty_policy": model.warranty_policy.code if model.warranty_policy else None,
            "parts": sorted(part.sku for part in model.parts)}


def _parts_with_skus(session: Session, skus: list[str]) -> list[Part]:
    wanted = list(dict.fromkeys(skus))
    found = {part.sku: part for part in session.scalars(select(Part).where(Part.sku.in_(wanted)))} if wanted else {}
    missing = [sku for sku in wanted if sku not in found]
    if missing:
        raise SetupRefused(_("No part with SKU %(skus)s.", skus=", ".join(missing)), field="parts")
    return [found[sku] for sku in wanted]


def _policy_for_model(session: Session, code: str) -> WarrantyPolicy:
    policy = session.scalar(select(WarrantyPolicy).where(WarrantyPolicy.code == code))
    if policy is None:
        raise SetupRefused(_("No warranty policy %(code)s.", code=code), field="warranty_policy")
    return policy


def create_product_model(session: Session, *, code: str, actor: str, now: datetime, name: str, category: str,
                         repair_skill: str, warranty_policy: str, product_line: str = "",
                         min_skill_level: int = 1, service_minutes: int = 45,
                         parts: list[str] | None = None, name_zh: str = "") -> ProductModel:
    if session.scalar(select(ProductModel.id).where(ProductModel.code == code)) is not None:
        raise AlreadyExists(_("A product model %(code)s already exists.", code=code), field="code")
    model = ProductModel(code=code)
    values = {"name": name, "name_zh": name_zh, "category": category, "product_line": product_line, "repair_skill": repair_skill,
                  "min_skill_level": min_skill_level, "service_minutes": service_minutes,
                  "warranty_policy": warranty_policy, "parts": parts or []}
    _apply_model(session, model, values)
    session.add(model)
    session.flush()
    record_change(session, actor=actor, at=now, kind="product_model", key=code, action="create",
                  changes=_model_state(model))
    return model


def update_product_model(session: Session, model: ProductModel, *, actor: str, now: datetime,
                         **changes: Any) -> ProductModel:
    before = _model_state(model)
    _apply_model(session, model, {**before, **changes})
    session.flush()
    record_update(session, actor=actor, at=now, kind="product_model", key=model.code, before=before,
                  after=_model_state(model))
    return model


def _apply_model(session: Session, model: ProductModel, values: dict[str, Any]) -> None:
    # Look everything up before changing anything, so a refusal leaves the model as it was.
    policy = _policy_for_model(session, values["warranty_policy"])
    parts = _parts_with_skus(session, values["parts"])
    for name in MODEL_FIELDS:
        setattr(model, name, values[name])
    model.product_line = values["product_line"] or values["category"]  # a line of its own, or its category
    model.warranty_policy = policy
    model.parts = parts


# --- assets ---

def asset_with_serial(session: Session, serial: str) -> Asset:
    asset = session.scalar(select(Asset).where(Asset.serial == serial))
    if asset is None:
        raise SetupNotFound(_("No appliance with serial %(serial)s.", serial=serial))
    return asset


def assets_query(*, search: str | None = None, model_code: str | None = None) -> Select:
    query = (select(Asset).join(Customer, Asset.customer_id == Customer.id)
             .join(ProductModel, Asset.product_model_id == ProductModel.id)
             .options(contains_eager(Asset.customer), contains_eager(Asset.product_model)).order_by(Asset.serial))
    if search:
        query = query.where(matching([Asset.serial, Asset.address, Customer.name, Customer.phone, ProductModel.code],
                                     search))
    if model_code:
        query = query.where(ProductModel.code == model_code)
    return query


def _asset_state(asset: Asset) -> dict[str, Any]:
    return {"model": asset.product_model.code, "customer_name": asset.customer.name,
            "customer_phone": asset.customer.phone, "customer_email": asset.customer.email,
            "region": asset.region.code if asset.region else None, "address": asset.address,
            "latitude": asset.latitude, "longitude": asset.longitude, "purchase_date": asset.purchase_date,
            "installed_on": asset.installed_on}


def register_asset(session: Session, *, serial: str, model: str, customer_name: str, customer_phone: str,
                   address: str, latitude: float, longitude: float, actor: str, now: datetime,
                   customer_email: str | None = None, region: str | None = None,
                   purchase_date: date | None = None, installed_on: date | None = None) -> Asset:
    if session.scalar(select(Asset.id).where(Asset.serial == serial)) is not None:
        raise AlreadyExists(_("An appliance with serial %(serial)s is registered already.", serial=serial),
                            field="serial")
    # The token is the only secret in a label's URL: long and random, so labels cannot be guessed.
    asset = Asset(serial=serial, qr_token=secrets.token_urlsafe(18))
    _apply_asset(session, asset, {"model": model, "customer_name": customer_name, "customer_phone": customer_phone,
                                      "customer_email": customer_email, "region": region, "address": address,
                                      "latitude": latitude, "longitude": longitude, "purchase_date": purchase_date,
                                      "installed_on": installed_on}, now=now)
    session.add(asset)
    session.flush()
    record_change(session, actor=actor, at=now, kind="asset", key=serial, action="create",
                  changes=_asset_state(asset))
    return asset


def update_asset(session: Session, asset: Asset, *, actor: str, now: datetime, **changes: Any) -> Asset:
    before = _asset_state(asset)
    _apply_asset(session, asset, {**before, **changes}, now=now)
    session.flush()
    record_update(session, actor=actor, at=now, kind="asset", key=asset.serial, before=before,
                  after=_asset_state(asset))
    return asset


def _apply_asset(session: Session, asset: Asset, values: dict[str, Any], *, now: datetime) -> None:
    model = session.scalar(select(ProductModel).where(ProductModel.code == values["model"]))
    if model is None:
        raise SetupRefused(_("No product model %(code)s.", code=values["model"]), field="model")
    region = None
    if values["region"]:
        region = session.scalar(select(Region).where(Region.code == values["region"]))
        if region is None:
            raise SetupRefused(_("No region %(code)s.", code=values["region"]), field="region")
    today = now.date()
    for name in ("purchase_date", "installed_on"):
        if values[name] is not None and values[name] > today:
            raise SetupRefused(_("The date cannot be in the future."), field=name)
    if values["purchase_date"] and values["installed_on"] and values["installed_on"] < values["purchase_date"]:
        raise SetupRefused(_("Installed before it was bought?"), field="installed_on")
    asset.product_model, asset.region = model, region
    asset.customer = _customer(session, asset, values)
    for name in ("address", "latitude", "longitude", "purchase_date", "installed_on"):
        setattr(asset, name, values[name])


def _customer(session: Session, asset: Asset, values: dict[str, Any]) -> Customer:
    """The same person (name and phone) owns all their appliances: found again rather than duplicated."""
    customer = session.scalar(select(Customer).where(Customer.name == values["customer_name"],
                                                     Customer.phone == values["customer_phone"]).limit(1))
    if customer is None:
        customer = Customer(name=values["customer_name"], phone=values["customer_phone"])
        session.add(customer)
    if values["customer_email"] is not None:
        customer.email = values["customer_email"]
    return customer
