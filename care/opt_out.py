"""Opting out of the non-essential messages: a signed link per customer, which needs no sign-in and
reveals nothing but the fact that it works."""
from __future__ import annotations

from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from care.message_settings import current
from dispatch.catalog.models import Customer

MAX_TOKEN_LENGTH = 200
_SALT = "aftercare.messages.opt-out"


class OptOutLinkInvalid(Exception):
    """The link was not made by us (changed, truncated, or signed with another key)."""


def opt_out_token(customer: Customer) -> str:
    return URLSafeSerializer(current().signing_key, salt=_SALT).dumps(customer.id)


def opt_out_url(customer: Customer) -> str:
    return f"{current().base_url}/messages/opt-out/{opt_out_token(customer)}"


def customer_of_token(session: Session, token: str) -> Customer:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise OptOutLinkInvalid(token)
    try:
        customer_id = URLSafeSerializer(current().signing_key, salt=_SALT).loads(token)
    except BadSignature:
        raise OptOutLinkInvalid(token) from None
    customer = session.get(Customer, customer_id) if isinstance(customer_id, int) else None
    if customer is None:
        raise OptOutLinkInvalid(token)
    return customer


def opt_out(session: Session, *, customer: Customer, now: datetime) -> Customer:
    """From now on the customer gets only the messages about their visit itself (none is lost:
    the ones already queued go as planned). Opting out twice keeps the first moment."""
    if customer.messages_opted_out_at is None:
        customer.messages_opted_out_at = now
        session.flush()
    return customer


def opt_back_in(session: Session, *, customer: Customer) -> Customer:
    customer.messages_opted_out_at = None
    session.flush()
    return customer
