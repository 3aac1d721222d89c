"""Reading a technician's status update from a page form or a JSON body into the domain's terms."""
from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.geo import is_valid_position
from core.limits import parse_id
from fieldwork.updates import MAX_PART_LINES, MAX_UNITS_PER_PART, Position, StatusUpdate
from inventory.models import Part


class FormProblem(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _number(raw: str, field: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise FormProblem(field, f"{field} must be a number.")
    if not math.isfinite(value):
        raise FormProblem(field, f"{field} must be a number.")
    return value


def parse_position(latitude: object, longitude: object, observed_at: object) -> Position | None:
    given = [v for v in (latitude, longitude) if v not in (None, "")]
    if not given:
        return None
    if len(given) == 1:
        raise FormProblem("latitude", "Give both latitude and longitude, or neither.")
    lat, lon = _number(str(latitude), "latitude"), _number(str(longitude), "longitude")
    if not is_valid_position(lat, lon):
        raise FormProblem("latitude", "The position is not a valid latitude/longitude.")
    when = None
    if observed_at not in (None, ""):
        try:
            when = datetime.fromisoformat(str(observed_at)[:40])
        except ValueError:
            raise FormProblem("observed_at", "observed_at must be an ISO 8601 date and time.")
        if when.tzinfo is None:
            raise FormProblem("observed_at", "observed_at needs a time zone (for example 2026-11-23T10:00:00Z).")
    return Position(lat, lon, when)


def parse_quantity(raw: object, field: str = "quantity", *, allow_zero: bool = False) -> int:
    text = str(raw).strip()
    quantity = 0 if text == "0" else parse_id(text)
    if quantity is None:
        raise FormProblem(field, "Quantity must be a whole number of units.")
    if quantity < (0 if allow_zero else 1) or quantity > MAX_UNITS_PER_PART:
        raise FormProblem(field, f"Quantity must be between {0 if allow_zero else 1} and {MAX_UNITS_PER_PART}.")
    return quantity


def parts_by_id(session: Session, wanted: dict[int, int]) -> list[tuple[Part, int]]:
    if len(wanted) > MAX_PART_LINES:
        raise FormProblem("parts", f"At most {MAX_PART_LINES} different parts per job.")
    found = {p.id: p for p in session.scalars(select(Part).where(Part.id.in_(list(wanted))))} if wanted else {}
    if missing := set(wanted) - set(found):
        raise FormProblem("parts", f"Unknown part(s): {', '.join(map(str, sorted(missing)))}.")
    return [(found[part_id], quantity) for part_id, quantity in wanted.items()]


def parts_by_sku(session: Session, lines: list[dict]) -> list[tuple[Part, int]]:
    if len(lines) > MAX_PART_LINES:
        raise FormProblem("parts", f"At most {MAX_PART_LINES} different parts per job.")
    skus = [line["sku"] for line in lines]
    found = {p.sku: p for p in session.scalars(select(Part).where(Part.sku.in_(skus)))} if skus else {}
    if missing := [sku for sku in skus if sku not in found]:
        raise FormProblem("parts", f"Unknown part(s): {', '.join(missing)}.")
    return [(found[line["sku"]], line["quantity"]) for line in lines]


def status_update_from_form(session: Session, form) -> StatusUpdate:
    """Form fields: client_id, to, note, latitude, longitude, observed_at and use_<part id> = units fitted."""
    wanted: dict[int, int] = {}
    for name, value in form.items():
        if name.startswith("use_") and str(value).strip() not in ("", "0"):
            part_id = parse_id(name[4:])
            if part_id is None:
                raise FormProblem("parts", f"Unknown part field {name[:40]!r}.")
            wanted[part_id] = parse_quantity(value, "parts", allow_zero=True)
    action = form.get("to", "").strip()
    if not action:
        raise FormProblem("to", "Choose what to do with the job.")
    return StatusUpdate(client_id=form.get("client_id", "").strip(), action=action[:24],
                        note=form.get("note", "")[:4000],
                        position=parse_position(form.get("latitude"), form.get("longitude"), form.get("observed_at")),
                        parts_used=parts_by_id(session, wanted))
