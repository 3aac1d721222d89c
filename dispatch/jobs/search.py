"""The agent's one search box: a caller found by their phone number however it is written (digits
only, with or without +86, spaced or dashed, or just its last four digits), by job number, by name
(any part, any case, Chinese too) or by appliance serial. Jobs come back open first.

Phone numbers are compared by their digits in SQL (the stored text with its separators taken out),
so the same query works on SQLite and PostgreSQL and finds numbers stored in any format."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, case, false, func, or_, select
from sqlalchemy.orm import selectinload

from core.i18n import gettext as _
from dispatch.catalog.models import Asset, Customer, ProductModel
from dispatch.jobs.models import Job
from dispatch.jobs.status import OPEN_STATUSES
from dispatch.technicians.models import Technician

MAX_QUERY_LENGTH = 64
# The fewest digits that identify a caller: the last four of their number, as callers are asked.
MIN_PHONE_DIGITS = 4
MIN_TEXT_LENGTH = 2
# What people put between the digits of a phone number.
_PHONE_SEPARATORS = (" ", "-", "+", "(", ")", ".", "\u3000")
_PHONE_TEXT = re.compile(r"^[0-9\s\-+().\u3000]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CJK = re.compile(r"[\u3400-\u9fff]")  # one Chinese character is a surname worth searching for
_LIKE_SPECIALS = re.compile(r"([\\%_])")


class SearchRefused(ValueError):
    """The query cannot be searched for: the message says what to type instead."""


@dataclass(frozen=True)
class SearchQuery:
    """A query as typed, cleaned, and what it can stand for."""
    text: str
    phone_digits: str | None  # the national number's digits, when the text is a phone number
    number: str | None  # the text as a job number could be written

    @property
    def is_phone(self) -> bool:
        return self.phone_digits is not None


def national_digits(text: str) -> str:
    """'+86 131-1001-5293', '008613110015293', '13110015293' -> '13110015293': the digits, without a
    Chinese country code in front of an 11-digit mobile number."""
    digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            return digits[len(prefix):]
    return digits


def parse_query(raw: str) -> SearchQuery:
    """The query cleaned (control characters refused, spaces collapsed, bounded in length)."""
    if _CONTROL.search(raw):
        raise SearchRefused(_("The search may not contain control characters."))
    text = " ".join(raw.split())
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchRefused(_("Search for at most %(n)s characters.", n=MAX_QUERY_LENGTH))
    if not text:
        raise SearchRefused(_("Type a phone number, a job number, a name or a serial."))
    phone = None
    if _PHONE_TEXT.match(text):
        digits = national_digits(text)
        if len(digits) < MIN_PHONE_DIGITS:
            raise SearchRefused(_("Type at least %(n)s digits of the phone number.", n=MIN_PHONE_DIGITS))
        phone = digits
    elif len(text) < MIN_TEXT_LENGTH and not _CJK.search(text):
        raise SearchRefused(_("Type at least %(n)s characters.", n=MIN_TEXT_LENGTH))
    number = text.upper().replace(" ", "")
    return SearchQuery(text=text, phone_digits=phone, number=number if len(number) >= 4 else None)


def phone_digits_sql(column) -> ColumnElement[str]:
    """The column's text with the separators people type taken out, in plain SQL both backends run."""
    expression = column
    for separator in _PHONE_SEPARATORS:
        expression = func.replace(expression, separator, "")
    return expression


def _contains(text: str) -> str:
    return "%" + _LIKE_SPECIALS.sub(r"\\\1", text.lower()) + "%"


def _phone_matches(column, digits: str) -> ColumnElement[bool]:
    # A suffix: the whole national number matches a stored '+86 ...', and four digits match the last four.
    stored = phone_digits_sql(column)
    if digits.startswith("0") and not digits.startswith("00") and len(digits) >= 10:
        # A landline typed with its trunk 0 ('021 6543 2188') is stored after +86 without it.
        return or_(stored.like("%" + digits), stored.like("%" + digits[1:]))
    return stored.like("%" + digits)


def job_matches(query: SearchQuery) -> ColumnElement[bool]:
    """Jobs the query finds; the caller joins Customer and Asset (see `job_search_select`)."""
    if query.is_phone:
        criteria = [_phone_matches(Customer.phone, query.phone_digits),
                    _phone_matches(Job.contact_phone, query.phone_digits)]
        if len(query.phone_digits) >= 6:
            # A long run of digits may also be a serial or the digits of a job number.
            criteria += [func.lower(Asset.serial).like(_contains(query.text), escape="\\"),
                         Job.number.like(_contains(query.number or query.text).upper(), escape="\\")]
        return or_(*criteria)
    pattern = _contains(query.text)
    criteria = [func.lower(Customer.name).like(pattern, escape="\\"),
                func.lower(Job.contact_name).like(pattern, escape="\\"),
                func.lower(Asset.serial).like(pattern, escape="\\")]
    if query.number:
        criteria.append(Job.number.like(_contains(query.number).upper(), escape="\\"))
    return or_(*criteria)


# What a line of jobs shows (customer, owner, appliance and its region's clock, technician), loaded in a
# fixed number of queries whatever the number of lines.
JOB_LINE_LOADS = (selectinload(Job.customer), selectinload(Job.owner),
                  selectinload(Job.asset).options(selectinload(Asset.product_model), selectinload(Asset.region)),
                  selectinload(Job.technician).selectinload(Technician.user))


def open_first() -> ColumnElement[int]:
    return case((Job.status.in_(sorted(OPEN_STATUSES)), 0), else_=1)


def job_search_select(query: SearchQuery) -> Select[tuple[Job]]:
    """Jobs matching the query, open ones first, then the newest; with what a result line shows.
    (dispatch.jobs.read.job_search combines the same match with the API's other filters.)"""
    return (select(Job).join(Asset, Job.asset_id == Asset.id).join(Customer, Job.customer_id == Customer.id)
            .where(job_matches(query))
            .order_by(open_first(), Job.reported_at.desc(), Job.id.desc())
            .options(*JOB_LINE_LOADS))


def asset_matches(query: SearchQuery) -> ColumnElement[bool]:
    """Appliances the query finds by their owner's phone or name, or their serial (a caller with no job yet)."""
    if query.is_phone:
        criteria = [_phone_matches(Customer.phone, query.phone_digits)]
        if len(query.phone_digits) >= 6:
            criteria.append(func.lower(Asset.serial).like(_contains(query.text), escape="\\"))
        return or_(*criteria)
    if query.text.upper().startswith("AC-"):
        return false()  # a job number names no appliance
    pattern = _contains(query.text)
    return or_(func.lower(Customer.name).like(pattern, escape="\\"), func.lower(Asset.serial).like(pattern, escape="\\"))


def asset_search_select(query: SearchQuery) -> Select[tuple[Asset]]:
    return (select(Asset).join(Customer, Asset.customer_id == Customer.id).where(asset_matches(query))
            .order_by(Customer.name, Asset.serial)
            .options(selectinload(Asset.customer), selectinload(Asset.region),
                     selectinload(Asset.product_model).selectinload(ProductModel.warranty_policy)))
