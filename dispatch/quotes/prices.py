"""The price list of paid repairs: labour by skill and job category (the category may be left open to mean
"any"), each with the call-out fee a declined quote still costs. Parts are priced on the part itself
(Part.customer_price). Every change is audited with who, when and what changed."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from core.admin_audit import record_change, record_update
from core.i18n import gettext as _
from core.setup_refusals import AlreadyExists, SetupNotFound, SetupRefused
from dispatch.catalog.setup import matching
from dispatch.jobs.models import JobCategory
from dispatch.quotes.models import LabourPrice
from dispatch.quotes.money import BadAmount, check_amount

PRICE_FIELDS = ("name", "skill", "category", "labour", "call_out_fee")
AUDIT_KIND = "labour_price"


def labour_price_named(session: Session, code: str) -> LabourPrice:
    price = session.scalar(select(LabourPrice).where(LabourPrice.code == code))
    if price is None:
        raise SetupNotFound(_("No labour price %(code)s.", code=code))
    return price


def labour_prices_query(*, search: str | None = None) -> Select:
    query = select(LabourPrice).order_by(LabourPrice.skill, LabourPrice.category.is_(None), LabourPrice.category,
                                         LabourPrice.code)
    return query.where(matching([LabourPrice.code, LabourPrice.name, LabourPrice.skill], search)) if search else query


def labour_price_for(session: Session, *, skill: str, category: JobCategory) -> LabourPrice | None:
    """The most specific price for a repair of `skill` in `category`: the category's own row, else the skill's."""
    rows = session.scalars(select(LabourPrice).where(
        LabourPrice.skill == skill.strip().lower(), or_(LabourPrice.category == category, LabourPrice.category.is_(None)))).all()
    return min(rows, key=lambda row: row.category is None) if rows else None


def _state(price: LabourPrice) -> dict[str, Any]:
    return {name: getattr(price, name) for name in PRICE_FIELDS}


def create_labour_price(session: Session, *, code: str, name: str, skill: str, actor: str, now: datetime,
                        labour: Decimal, category: JobCategory | None = None,
                        call_out_fee: Decimal = Decimal(0)) -> LabourPrice:
    if session.scalar(select(LabourPrice.id).where(LabourPrice.code == code)) is not None:
        raise AlreadyExists(_("A labour price %(code)s already exists.", code=code), field="code")
    price = LabourPrice(code=code)
    _apply(session, price, {"name": name, "skill": skill, "category": category, "labour": labour,
                            "call_out_fee": call_out_fee})
    session.add(price)
    session.flush()
    record_change(session, actor=actor, at=now, kind=AUDIT_KIND, key=code, action="create", changes=_state(price))
    return price


def update_labour_price(session: Session, price: LabourPrice, *, actor: str, now: datetime,
                        **changes: Any) -> LabourPrice:
    before = _state(price)
    _apply(session, price, {**before, **changes})
    session.flush()
    record_update(session, actor=actor, at=now, kind=AUDIT_KIND, key=price.code, before=before, after=_state(price))
    return price


def _apply(session: Session, price: LabourPrice, values: dict[str, Any]) -> None:
    for name in ("labour", "call_out_fee"):
        try:
            values[name] = check_amount(Decimal(values[name]))
        except BadAmount as error:
            raise SetupRefused(str(error), field=name) from None
    values["skill"] = values["skill"].strip().lower()
    category = values["category"]
    # One price per skill and category; NULLs never collide in a UNIQUE index, so "any category" is checked here.
    clash = select(LabourPrice.code).where(
        LabourPrice.skill == values["skill"],
        LabourPrice.category.is_(None) if category is None else LabourPrice.category == category)
    if price.id is not None:
        clash = clash.where(LabourPrice.id != price.id)
    if (other := session.scalar(clash.limit(1))) is not None:
        raise AlreadyExists(_("Labour price %(code)s already covers this skill and category.", code=other),
                            field="category" if category is not None else "skill")
    for name in PRICE_FIELDS:
        setattr(price, name, values[name])
