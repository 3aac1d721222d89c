"""Writing checked set-up files: every kind in the order of its references, by bulk statements
(INSERT … ON CONFLICT on the natural key, executemany in chunks), so 100,000 appliances take seconds.
Rows that match the database are left alone; each created or changed record gets its audit row."""
from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from core.admin_audit import AdminChange, diff
from core.db import chunked
from core.users import User
from dispatch.catalog.models import Asset, Customer, model_parts
from dispatch.technicians.models import Technician
from inventory.models import warehouse_regions
from inventory.reasons import reason as stock_reason
from setup_files.bulk import write_rows
from setup_files.checking import Checked, ParsedFile
from setup_files.kinds import BY_NAME, KINDS, Kind
from setup_files.values import written

CHUNK = 2000
Progress = Callable[[int], None]


@dataclass
class KindCount:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # children a listed parent no longer has


@dataclass
class Written:
    counts: dict[str, KindCount] = field(default_factory=dict)


@dataclass
class _Run:
    session: Session
    actor: str
    now: datetime
    progress: Progress
    ids: dict[str, dict[str, int]] = field(default_factory=dict)
    audit: list[dict[str, Any]] = field(default_factory=list)
    reverse: dict[str, dict[int, str]] = field(default_factory=dict)

    def codes(self, kind: str) -> dict[int, str]:
        if kind not in self.reverse:
            self.reverse[kind] = {i: c for c, i in self.id_map(kind).items()}
        return self.reverse[kind]

    def id_map(self, kind: str) -> dict[str, int]:
        if kind not in self.ids:
            self.ids[kind] = load_ids(self.session, kind)
        return self.ids[kind]

    def record(self, kind: Kind, key: str, action: str, changes: dict[str, Any]) -> None:
        self.audit.append({"actor": self.actor[:64], "at": self.now, "kind": kind.record, "key": key[:120],
                           "action": action, "changes": {k: v if type(v) in _PLAIN else _jsonable(v)
                                                         for k, v in changes.items()}})


def write_files(session: Session, checked: Checked, *, actor: str, now: datetime,
                progress: Progress | None = None) -> Written:
    run = _Run(session=session, actor=actor, now=now, progress=progress or (lambda n: None))
    result = Written()
    for kind in KINDS:
        file = checked.files.get(kind.name)
        if file is None:
            continue
        result.counts[kind.name] = _write_kind(run, file)
        run.ids.pop(kind.name, None)  # new rows have ids now
        run.reverse.pop(kind.name, None)
    # The audit of every change, in bulk: core.admin_audit's rows, one per created or changed record.
    write_rows(session, AdminChange.__table__, run.audit)
    session.flush()
    return result


def _write_kind(run: _Run, file: ParsedFile) -> KindCount:
    kind = file.kind
    if kind.name == "stock_counts":
        return _book_stock_counts(run, file)
    if kind.name == "assets":
        _attach_customers(run, file)
    plan = [(c.name, c.target, run.id_map(c.ref) if c.ref else None) for c in kind.stored]
    rows = [(number, _db_row(kind, plan, row), row) for number, row in file.rows]
    fields = sorted({name for _, db_row, _ in rows for name in db_row} | ({"password_hash"} if kind.name == "users" else set()))
    existing = _existing_rows(run.session, kind.table, kind.db_key, fields)
    if kind.name == "users":
        _hash_passwords(rows, existing)
    lists = _list_columns(kind)
    existing_lists = {name: _existing_list(run, kind, name) for name in lists}
    count, changed = KindCount(), []
    for number, db_row, row in rows:
        key = tuple(db_row[k] for k in kind.db_key)
        label = "/".join(str(row[name]) for name in kind.key)
        before = existing.get(key)
        if kind.name == "assets" and before is not None and not row["qr_token"]:
            db_row["qr_token"] = before["qr_token"]  # a blank token keeps the printed label working
        if before is None:
            count.created += 1
            changed.append(db_row)
            run.record(kind, label, "create", _shown(run, kind, {**db_row, **{n: row[n] for n in lists}}, row))
            continue
        changes = diff({f: _comparable(before.get(f)) for f in db_row}, {f: _comparable(x) for f, x in db_row.items()})
        for name in lists:
            old = existing_lists[name].get(before.get("id"), ())
            if tuple(sorted(old)) != tuple(sorted(row[name])):
                changes[name] = [sorted(old), sorted(row[name])]
        if changes:
            count.updated += 1
            changed.append(db_row)
            run.record(kind, label, "update", _shown(run, kind, changes, row))
        else:
            count.unchanged += 1
    _upsert(run.session, kind, changed, fields)
    if kind.parent:
        count.removed = _remove_unlisted_children(run, kind, rows)
    if lists:
        _replace_lists(run, kind, file)
    if kind.name == "users":
        _end_sessions_of_changed_users(run.session, rows, existing)
    run.progress(len(rows))
    return count


def _db_row(kind: Kind, plan: list[tuple[str, str, dict[str, int] | None]], row: dict[str, Any]) -> dict[str, Any]:
    """The row as the table stores it: references as ids (plan: column, table column, ids of what it names)."""
    db_row = {}
    for name, target, ids in plan:
        value = row[name]
        db_row[target] = ids[value] if ids is not None and value is not None else value
    if kind.name == "assets":
        db_row["customer_id"] = row["_customer_id"]
        if not row["qr_token"]:
            db_row["qr_token"] = secrets.token_urlsafe(18)
    return db_row


def _hash_passwords(rows, existing) -> None:
    """A password the user already has is no change (importing the same file twice signs no one out)."""
    for _, db_row, row in rows:
        before = existing.get((db_row["username"],))
        if row["password"] and not (before and check_password_hash(before["password_hash"], row["password"])):
            db_row["password_hash"] = generate_password_hash(row["password"])
        else:
            row["password"] = None
            db_row["password_hash"] = before["password_hash"]  # checks passed: a new user has a password


def _shown(run: _Run, kind: Kind, changes: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """What the audit keeps: the file's own column names and codes (not ids), never a password or its hash."""
    shown = {}
    columns = kind.by_target
    for name, value in changes.items():
        if name == "password_hash":
            shown["password"] = "changed"
        elif name in columns and columns[name].ref:
            codes = run.codes(columns[name].ref)
            shown[columns[name].name] = ([codes.get(value[0]), row[columns[name].name]] if isinstance(value, list)
                                         else row[columns[name].name])
        elif name != "customer_id":
            shown[columns[name].name if name in columns else name] = value
    if kind.name == "assets" and "customer_id" in changes:
        shown["customer"] = f"{row['customer_name']} {row['customer_phone']}"
    return shown


def _existing_rows(session: Session, table: Table, key: tuple[str, ...], fields: list[str]) -> dict[tuple, dict]:
    names = list(dict.fromkeys(list(key) + fields + (["id"] if "id" in table.c else [])))
    return {tuple(r[k] for k in key): dict(r) for r in
            session.execute(select(*(table.c[n] for n in names))).mappings()}


def _comparable(value: Any) -> Any:
    return getattr(value, "value", value)


def _upsert(session: Session, kind: Kind, rows: list[dict[str, Any]], fields: list[str]) -> None:
    write_rows(session, kind.table, rows, key=kind.db_key, update=fields)


def _remove_unlisted_children(run: _Run, kind: Kind, rows) -> int:
    """A parent the file lists gets exactly the children the file gives it; each removed one is audited."""
    session, parent = run.session, kind.column(kind.parent)
    others = [k for k in kind.db_key if k != parent.target]
    listed: dict[int, set[tuple]] = defaultdict(set)
    for _, db_row, _ in rows:
        listed[db_row[parent.target]].add(tuple(db_row[k] for k in others))
    table, removed = kind.table, 0
    for parent_ids in chunked(list(listed)):
        found = list(session.execute(select(*(table.c[k] for k in kind.db_key))
                                     .where(table.c[parent.target].in_(parent_ids))).mappings())
        for row in found:
            if tuple(row[k] for k in others) not in listed[row[parent.target]]:
                session.execute(delete(table).where(*(table.c[k] == row[k] for k in kind.db_key)))
                label = "/".join([run.codes(parent.ref)[row[parent.target]]] + [written(row[k]) for k in others])
                run.record(kind, label, "delete", {})
                removed += 1
    return removed


LIST_TABLES = {("warehouses", "serves_regions"): (warehouse_regions, "warehouse_id", "region_id", "regions"),
                ("product_models", "parts"): (model_parts, "product_model_id", "part_id", "parts")}


def _list_columns(kind: Kind) -> list[str]:
    return [name for (kind_name, name) in LIST_TABLES if kind_name == kind.name]


def _existing_list(run: _Run, kind: Kind, name: str) -> dict[int, list[str]]:
    table, owner, member, target = LIST_TABLES[(kind.name, name)]
    codes = run.codes(target)
    found: dict[int, list[str]] = defaultdict(list)
    for owner_id, member_id in run.session.execute(select(table.c[owner], table.c[member])):
        found[owner_id].append(codes[member_id])
    return found


def _replace_lists(run: _Run, kind: Kind, file: ParsedFile) -> None:
    own_ids = load_ids(run.session, kind.name)
    for name in _list_columns(kind):
        table, owner, member, target = LIST_TABLES[(kind.name, name)]
        members = run.id_map(target)
        owners = [own_ids[row["code"]] for _, row in file.rows]
        for ids in chunked(owners):
            run.session.execute(delete(table).where(table.c[owner].in_(ids)))
        links = [{owner: own_ids[row["code"]], member: members[code]} for _, row in file.rows for code in row[name]]
        write_rows(run.session, table, links)


def _end_sessions_of_changed_users(session: Session, rows, existing) -> None:
    """A new password or a disabled account ends the user's sessions and tokens, as core.users does."""
    from core.users import end_sessions

    for _, db_row, row in rows:
        before = existing.get((db_row["username"],))
        if before is not None and (row["password"] or (before["active"] and not db_row["active"])):
            end_sessions(session, user=session.scalar(select(User).where(User.username == db_row["username"])))


def _book_stock_counts(run: _Run, file: ParsedFile) -> KindCount:
    """Stock changes only through the ledger, so levels stay the sums of their movements: a new level is
    a receipt of the counted units, a different count an adjustment by the difference."""
    from inventory import ledger
    from inventory.models import Part, StockLevel, Warehouse

    session, count = run.session, KindCount()
    levels = {(w, p): n for w, p, n in session.execute(select(StockLevel.warehouse_id, StockLevel.part_id,
                                                              StockLevel.on_hand))}
    warehouses, parts = run.id_map("warehouses"), run.id_map("parts")
    for _, row in file.rows:
        key = (warehouses[row["warehouse"]], parts[row["sku"]])
        before = levels.get(key)
        change = row["on_hand"] - (before or 0)
        label = f"{row['warehouse']}/{row['sku']}"
        if change == 0:  # the same count, or nothing counted where nothing is kept
            count.unchanged += 1
            continue
        warehouse, part = session.get(Warehouse, key[0]), session.get(Part, key[1])
        if change > 0 and before is None:
            ledger.receive(session, warehouse=warehouse, part=part, quantity=change, actor=run.actor, now=run.now,
                           reason=stock_reason("opening_count_import"))
        elif change:
            ledger.adjust(session, warehouse=warehouse, part=part, change=change, actor=run.actor, now=run.now,
                          reason=stock_reason("stock_count_import"))
        if before is None:
            count.created += 1
            run.record(file.kind, label, "create", {"on_hand": row["on_hand"]})
        else:
            count.updated += 1
            run.record(file.kind, label, "update", {"on_hand": [before, row["on_hand"]]})
    run.progress(len(file.rows))
    return count


def _attach_customers(run: _Run, file: ParsedFile) -> None:
    """Appliances name their owner by name and phone: the same pair is one customer, already there or new."""
    session = run.session
    customers = {(name, phone): (cid, email) for cid, name, phone, email in
                 session.execute(select(Customer.id, Customer.name, Customer.phone, Customer.email))}
    new: dict[tuple[str, str], str | None] = {}
    email_changes = []
    for _, row in file.rows:
        pair = (row["customer_name"], row["customer_phone"])
        if pair in customers:
            cid, email = customers[pair]
            if row["customer_email"] and row["customer_email"] != email:
                email_changes.append({"cid": cid, "email": row["customer_email"]})
                customers[pair] = (cid, row["customer_email"])
        else:
            new.setdefault(pair, row["customer_email"])
    if new:
        write_rows(session, Customer.__table__, [{"name": n, "phone": p, "email": email, "is_business": False,
                                                  "created_at": run.now} for (n, p), email in new.items()])
        # Read back by name and phone (new pairs were not there before, so each names one new row).
        for cid, name, phone in session.execute(select(Customer.id, Customer.name, Customer.phone)):
            if (name, phone) in new:
                customers[(name, phone)] = (cid, new[(name, phone)])
    if email_changes:
        session.execute(update(Customer.__table__).where(Customer.__table__.c.id == bindparam("cid"))
                        .values(email=bindparam("email")), email_changes)
    for _, row in file.rows:
        row["_customer_id"] = customers[(row["customer_name"], row["customer_phone"])][0]


def load_ids(session: Session, kind: str) -> dict[str, int]:
    if kind == "users":
        return dict(session.execute(select(User.username, User.id)).all())
    if kind == "technicians":
        return dict(session.execute(select(User.username, Technician.id).join(Technician.user)).all())
    if kind == "assets":
        return dict(session.execute(select(Asset.serial, Asset.id)).all())
    table = BY_NAME[kind].table
    [key] = BY_NAME[kind].key
    return dict(session.execute(select(table.c[key], table.c.id)).all())


def _chunks(rows: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


_PLAIN = (str, int, float, bool, type(None))


def _jsonable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return written(value)

