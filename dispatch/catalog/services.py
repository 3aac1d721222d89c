"""Finding registered appliances and the people who own them."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.catalog.models import Asset, Customer

MAX_MATCHES = 50


def find_assets(session: Session, *, serial: str | None = None, phone: str | None = None) -> list[Asset]:
    query = select(Asset).join(Customer, Asset.customer_id == Customer.id)
    if serial:
        query = query.where(Asset.serial == serial)
    if phone:
        query = query.where(Customer.phone == phone)
    return list(session.scalars(query.order_by(Asset.serial).limit(MAX_MATCHES)))
