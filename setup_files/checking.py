"""Checking every row of every set-up file before anything is written: each cell's type and bounds,
required cells, keys given twice, the rules that join columns (min below max, a break inside its shift),
and every reference to another file or to a row already in the database."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import gettext as _
from core.i18n import lazy_gettext
from core.regions import Region
from core.users import Role, User
from dispatch.catalog.models import Asset, ProductModel, WarrantyPolicy
from dispatch.jobs.models import SlaPolicy
from dispatch.technicians.models import Technician
from inventory.models import Part, StockLevel, Supplier, Warehouse, WarehouseKind
from setup_files.kinds import BY_NAME, KINDS, LIST_REFS, Kind
from setup_files.passwords import password_problem
from setup_files.reading import Problem, SourceFile
from setup_files.values import BadValue

Row = dict[str, Any]
# What a reference names, in the reader's language ("No region gusu …").
RECORD_LABELS = {"users": lazy_gettext("user"), "regions": lazy_gettext("region"),
                 "warranty_policies": lazy_gettext("warranty policy"), "parts": lazy_gettext("part"),
                 "suppliers": lazy_gettext("supplier"), "warehouses": lazy_gettext("warehouse"),
                 "product_models": lazy_gettext("product model"), "technicians": lazy_gettext("technician")}


@dataclass
class ParsedFile:
    kind: Kind
    name: str
    rows: list[tuple[int, Row]] = field(default_factory=list)
    # Keys of rows refused for another cell: still known, so rows naming them are not refused as well.
    refused_keys: set[str] = field(default_factory=set)


@dataclass
class Checked:
    files: dict[str, ParsedFile]
    problems: list[Problem]


def check_files(session: Session, files: dict[str, SourceFile]) -> Checked:
    problems: list[Problem] = []
    parsed = {name: _parse(BY_NAME[name], source, problems) for name, source in files.items()}
    existing = _existing_keys(session)
    known = {name: set(existing.get(name, {})) | ({_key_text(kind, row) for _, row in parsed[name].rows}
                                                  | parsed[name].refused_keys if name in parsed else set())
             for name, kind in BY_NAME.items()}
    for file in parsed.values():
        _check_keys_unique(file, problems)
        _check_references(file, known, problems)
    _check_rules(session, parsed, existing, problems)
    order = {kind.name: n for n, kind in enumerate(KINDS)}
    problems.sort(key=lambda p: (order.get(p.file.rsplit(".", 1)[0], 99), p.file, p.row))
    return Checked(files=parsed, problems=problems)


def _parse(kind: Kind, source: SourceFile, problems: list[Problem]) -> ParsedFile:
    parsed = ParsedFile(kind=kind, name=source.name)
    # The loop runs for every cell of 100,000-row files: what it needs, looked up once.
    plan = [(c.name, c.parse, c.required, c.default) for c in kind.columns]
    for number, cells in source.rows:
        row, ok = {}, True
        for name, parse, required, default in plan:
            raw = cells.get(name, "")
            if raw == "":
                if required:
                    problems.append(Problem(source.name, number, name, _("Required: may not be blank.")))
                    ok = False
                row[name] = default
                continue
            try:
                row[name] = parse(raw)
            except BadValue as error:
                problems.append(Problem(source.name, number, name, error.reason))
                ok = False
        if ok:
            parsed.rows.append((number, row))
        elif all(row.get(name) is not None for name in kind.key):
            parsed.refused_keys.add(_key_text(kind, row))
    return parsed


def _key_text(kind: Kind, row: Row) -> str:
    return "/".join(str(row[name]) for name in kind.key)


def _check_keys_unique(file: ParsedFile, problems: list[Problem]) -> None:
    seen: dict[str, int] = {}
    for number, row in file.rows:
        key = _key_text(file.kind, row)
        if key in seen:
            problems.append(Problem(file.name, number, ",".join(file.kind.key),
                                    _("%(key)s is already given on row %(row)s.", key=key, row=seen[key])))
        else:
            seen[key] = number


def _check_references(file: ParsedFile, known: dict[str, set[str]], problems: list[Problem]) -> None:
    for column in file.kind.columns:
        target = column.ref or LIST_REFS.get((file.kind.name, column.name))
        if target is None:
            continue
        for number, row in file.rows:
            value = row[column.name]
            for code in (value if isinstance(value, tuple) else () if value is None else (value,)):
                if code not in known[target]:
                    problems.append(Problem(file.name, number, column.name,
                                            _("No %(kind)s %(code)s, in %(file)s or already in the database.",
                                              kind=str(RECORD_LABELS[target]), code=code, file=f"{target}.csv")))


def _existing_keys(session: Session) -> dict[str, dict[str, Any]]:
    """The natural keys already in the database, with what the rules need to know about each."""
    return {
        "users": dict(session.execute(select(User.username, User.role)).all()),
        "regions": {c: None for c in session.scalars(select(Region.code))},
        "warranty_policies": {c: None for c in session.scalars(select(WarrantyPolicy.code))},
        "sla_policies": {c: (cat, pri) for c, cat, pri in
                         session.execute(select(SlaPolicy.code, SlaPolicy.category, SlaPolicy.priority))},
        "parts": {c: None for c in session.scalars(select(Part.sku))},
        "suppliers": {c: None for c in session.scalars(select(Supplier.code))},
        "warehouses": dict(session.execute(select(Warehouse.code, Warehouse.kind)).all()),
        "product_models": {c: None for c in session.scalars(select(ProductModel.code))},
        "technicians": dict(session.execute(select(User.username, Warehouse.code).select_from(Technician)
                                            .join(User, Technician.user_id == User.id)
                                            .outerjoin(Warehouse, Technician.van_warehouse_id == Warehouse.id)).all()),
    }


def _check_rules(session: Session, parsed: dict[str, ParsedFile], existing, problems: list[Problem]) -> None:
    def rows(name: str):
        file = parsed.get(name)
        return [(file.name, number, row) for number, row in file.rows] if file else []

    def refuse(where, column: str, reason: str) -> None:
        problems.append(Problem(where[0], where[1], column, reason))

    for *where, row in rows("users"):
        if row["username"] not in existing["users"] and not row["password"]:
            refuse(where, "password", _("Required for a new user."))
        elif row["password"] and (problem := password_problem(row["username"], row["password"])):
            refuse(where, "password", problem)
    for *where, row in rows("business_hours"):
        if row["opens"] >= row["closes"]:
            refuse(where, "closes", _("Must be later than opens."))
    for *where, row in rows("warranty_policies"):
        if row["exchange_days"] < row["return_days"]:
            refuse(where, "exchange_days", _("Must be at least return_days."))
    _check_sla_pairs(rows("sla_policies"), existing["sla_policies"], refuse)
    for *where, row in rows("suppliers"):
        if row["expedited_lead_hours"] > row["normal_lead_hours"]:
            refuse(where, "expedited_lead_hours", _("May not be longer than normal_lead_hours."))
    warehouse_kinds = {code: WarehouseKind(kind) for code, kind in existing["warehouses"].items()}
    for *where, row in rows("warehouses"):
        warehouse_kinds[row["code"]] = WarehouseKind(row["kind"])
        if row["kind"] != WarehouseKind.VAN and (row["latitude"] is None or row["longitude"] is None):
            refuse(where, "latitude" if row["latitude"] is None else "longitude",
                   _("A central or regional warehouse needs both coordinates."))
    for *where, row in rows("restock_rules"):
        if row["max_quantity"] < row["min_quantity"]:
            refuse(where, "max_quantity", _("Must be at least min_quantity."))
    roles = {**{u: Role(r) for u, r in existing["users"].items()},
             **{row["username"]: Role(row["role"]) for *_w, row in rows("users")}}
    vans: Counter[str] = Counter(row["van"] for *_w, row in rows("technicians") if row["van"])
    in_file = {row["username"] for *_w, row in rows("technicians")}
    held_elsewhere = {van: user for user, van in existing["technicians"].items() if van and user not in in_file}
    for *where, row in rows("technicians"):
        if roles.get(row["username"], Role.TECHNICIAN) != Role.TECHNICIAN:
            refuse(where, "username", _("User %(name)s does not have the technician role.", name=row["username"]))
        van = row["van"]
        if van and warehouse_kinds.get(van, WarehouseKind.VAN) != WarehouseKind.VAN:
            refuse(where, "van", _("Warehouse %(code)s is not a van.", code=van))
        elif van and (vans[van] > 1 or van in held_elsewhere):
            refuse(where, "van", _("Van %(code)s already belongs to another technician.", code=van))
    for *where, row in rows("technician_shifts"):
        _check_shift(where, row, refuse)
    _check_qr_tokens(session, rows("assets"), refuse)
    _check_counts_cover_reservations(session, rows("stock_counts"), refuse)


def _check_sla_pairs(rows, existing: dict[str, tuple], refuse) -> None:
    """At most one policy per (category, priority): which policy applies to a job must be clear."""
    codes_in_file = {row["code"] for *_w, row in rows}
    taken = defaultdict(list)
    for code, (category, priority) in existing.items():
        if code not in codes_in_file:
            taken[(_value(category), _value(priority))].append(code)
    for *where, row in rows:
        pair = (row["category"], row["priority"])
        if taken[pair]:
            refuse(where, "priority", _("Policy %(code)s already covers this category and priority.",
                                        code=taken[pair][0]))
        taken[pair].append(row["code"])


def _value(member) -> str | None:
    return None if member is None else getattr(member, "value", member)


def _check_shift(where, row, refuse) -> None:
    if row["start"] >= row["end"]:
        refuse(where, "end", _("Must be later than start."))
        return
    earliest, latest = row["break_earliest"], row["break_latest_end"]
    if row["break_minutes"] and (earliest is None or latest is None):
        refuse(where, "break_earliest", _("A break needs break_earliest and break_latest_end."))
    elif earliest is not None and latest is not None:
        if not row["start"] <= earliest < latest <= row["end"]:
            refuse(where, "break_latest_end", _("The break window must lie inside the shift."))
        elif (latest.hour * 60 + latest.minute) - (earliest.hour * 60 + earliest.minute) < row["break_minutes"]:
            refuse(where, "break_minutes", _("Longer than the break window."))


def _check_counts_cover_reservations(session: Session, rows, refuse) -> None:
    if not rows:
        return
    reserved = {(w, p): n for w, p, n in session.execute(
        select(Warehouse.code, Part.sku, StockLevel.reserved).join(Warehouse, StockLevel.warehouse_id == Warehouse.id)
        .join(Part, StockLevel.part_id == Part.id).where(StockLevel.reserved > 0))}
    for *where, row in rows:
        held = reserved.get((row["warehouse"], row["sku"]), 0)
        if row["on_hand"] < held:
            refuse(where, "on_hand", _("%(n)s units here are reserved for jobs or transfers.", n=held))


def _check_qr_tokens(session: Session, rows, refuse) -> None:
    """A label's token names one appliance: a token given for one serial may not be another's."""
    tokens = [row["qr_token"] for *_w, row in rows if row["qr_token"]]
    if not tokens:
        return
    owner = dict(session.execute(select(Asset.qr_token, Asset.serial)).all())
    seen: dict[str, str] = {}
    for *where, row in rows:
        token = row["qr_token"]
        if not token:
            continue
        if owner.get(token, row["serial"]) != row["serial"] or seen.get(token, row["serial"]) != row["serial"]:
            refuse(where, "qr_token", _("This label token already belongs to another appliance."))
        seen.setdefault(token, row["serial"])
