"""Administration of SLA policies: respond and repair targets by job category and priority (either may
be left open to mean "any"), whether the clocks run only in business hours, and the satisfaction
target. One policy per category and priority: the database cannot hold that promise for the open
("any") combinations (NULLs never collide in a UNIQUE index), so it is checked here."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from core.admin_audit import record_change, record_update
from core.i18n import gettext as _
from core.setup_refusals import AlreadyExists, SetupNotFound, SetupRefused
from dispatch.catalog.setup import matching
from dispatch.jobs.models import JobCategory, Priority, SlaPolicy

SLA_FIELDS = ("name", "category", "priority", "business_hours_only", "respond_minutes", "repair_minutes",
              "satisfaction_target", "respond_target", "repair_target")


def sla_policy_named(session: Session, code: str) -> SlaPolicy:
    policy = session.scalar(select(SlaPolicy).where(SlaPolicy.code == code))
    if policy is None:
        raise SetupNotFound(_("No SLA policy %(code)s.", code=code))
    return policy


def sla_policies_query(*, search: str | None = None) -> Select:
    query = select(SlaPolicy).order_by(SlaPolicy.category.is_(None), SlaPolicy.category,
                                       SlaPolicy.priority.is_(None), SlaPolicy.priority, SlaPolicy.code)
    return query.where(matching([SlaPolicy.code, SlaPolicy.name], search)) if search else query


def _state(policy: SlaPolicy) -> dict[str, Any]:
    return {name: getattr(policy, name) for name in SLA_FIELDS}


def create_sla_policy(session: Session, *, code: str, name: str, actor: str, now: datetime,
                      category: JobCategory | None = None, priority: Priority | None = None,
                      business_hours_only: bool = False, respond_minutes: int = 120,
                      repair_minutes: int = 3 * 24 * 60, satisfaction_target: float = 0.95,
                      respond_target: float = 0.95, repair_target: float = 0.90) -> SlaPolicy:
    if session.scalar(select(SlaPolicy.id).where(SlaPolicy.code == code)) is not None:
        raise AlreadyExists(_("An SLA policy %(code)s already exists.", code=code), field="code")
    policy = SlaPolicy(code=code)
    values = {"name": name, "category": category, "priority": priority, "business_hours_only": business_hours_only,
                  "respond_minutes": respond_minutes, "repair_minutes": repair_minutes,
                  "satisfaction_target": satisfaction_target, "respond_target": respond_target,
                  "repair_target": repair_target}
    _apply(session, policy, values)
    session.add(policy)
    session.flush()
    record_change(session, actor=actor, at=now, kind="sla_policy", key=code, action="create", changes=_state(policy))
    return policy


def update_sla_policy(session: Session, policy: SlaPolicy, *, actor: str, now: datetime, **changes: Any) -> SlaPolicy:
    before = _state(policy)
    _apply(session, policy, {**before, **changes})
    session.flush()
    record_update(session, actor=actor, at=now, kind="sla_policy", key=policy.code, before=before,
                  after=_state(policy))
    return policy


def _apply(session: Session, policy: SlaPolicy, values: dict[str, Any]) -> None:
    if values["repair_minutes"] < values["respond_minutes"]:
        raise SetupRefused(_("The repair target cannot come before the response target."), field="repair_minutes")
    category, priority = values["category"], values["priority"]
    clash = select(SlaPolicy.code).where(
        SlaPolicy.category.is_(None) if category is None else SlaPolicy.category == category,
        SlaPolicy.priority.is_(None) if priority is None else SlaPolicy.priority == priority)
    if policy.id is not None:
        clash = clash.where(SlaPolicy.id != policy.id)
    other = session.scalar(clash.limit(1))
    if other is not None:
        raise AlreadyExists(_("SLA policy %(code)s already covers this category and priority.", code=other),
                            field="priority" if priority is not None else "category")
    for name in SLA_FIELDS:
        setattr(policy, name, values[name])
