"""The audit of administrative changes: who changed which record of the set-up, when, and what.

Every administration service (users, regions, technicians, catalogue, stock set-up, imports)
records one row per created, updated or removed record, in the same transaction as the change.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base, UtcDateTime


class AdminChange(Base):
    __tablename__ = "admin_changes"
    __table_args__ = (Index("ix_admin_changes_kind_key", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(40))  # "user", "region", "technician", "part", …
    key: Mapped[str] = mapped_column(String(120))  # the record's natural key (username, code, sku, …)
    action: Mapped[str] = mapped_column(String(16))  # "create", "update", "delete", "import"
    # {field: [before, after]} for updates; {field: value} for creates.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def record_change(session: Session, *, actor: str, at: datetime, kind: str, key: str, action: str,
                  changes: dict[str, Any]) -> AdminChange:
    row = AdminChange(actor=actor[:64], at=at, kind=kind, key=str(key)[:120], action=action,
                      changes=_jsonable(changes))
    session.add(row)
    return row


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Only the fields whose value changed, as {field: [before, after]}."""
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def record_update(session: Session, *, actor: str, at: datetime, kind: str, key: str, before: dict[str, Any],
                  after: dict[str, Any]) -> dict[str, list[Any]]:
    """Audits an update by what it changed; a form sent back untouched is no change and leaves no row."""
    changed = diff(before, after)
    if changed:
        record_change(session, actor=actor, at=at, kind=kind, key=key, action="update", changes=changed)
    return changed


def changes_of(session: Session, *, kind: str, key: str) -> list[AdminChange]:
    return list(session.scalars(select(AdminChange).where(AdminChange.kind == kind, AdminChange.key == key)
                                .order_by(AdminChange.id)))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)  # dates, times, decimals, enums
