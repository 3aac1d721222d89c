"""Turning a fault report into a job: classify, decide entitlement, start the SLA clocks, and queue
it for dispatch when it needs a visit.

A report for an asset that already has an open job joins that job as an event. The database's
one-open-job-per-asset index settles races between simultaneous reports (INSERT ... ON CONFLICT).

This is the hottest write path of the system (every QR scan that reports ends here), so it counts
its round trips: a report that joins an open job is one statement on PostgreSQL (find the job by QR
token, mark it updated, append the event); a new job is inserted with RETURNING, and its event and
work item written in one flush.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Row, Update, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload, with_expression

from core.background import DISPATCH, defer
from core.events import publish
from core.i18n import gettext as _
from core.i18n import normalise
from core.regions import zone_of
from dispatch.catalog.models import Asset, ProductModel
from dispatch.intake.classifier import classify
from dispatch.intake.entitlement import Entitlement, entitlement_of
from dispatch.intake.errors import AssetNotFound
from dispatch.intake.history import RepairHistory, finished_repairs_count
from dispatch.jobs.audit import Actor
from dispatch.jobs.clocks import refresh_deadlines
from dispatch.jobs.events import JobReported
from dispatch.jobs.models import (
    JOB_IS_OPEN,
    VISIT_CATEGORIES,
    Channel,
    DispatchState,
    EntitlementKind,
    EventKind,
    Job,
    JobCategory,
    JobEvent,
    needs_visit,
)
from dispatch.jobs.services import INSERT_EVENT, event_row, record_event, write_event
from dispatch.jobs.sla import sla_deadlines, sla_policy_for
from dispatch.jobs.status import JobStatus
from dispatch.jobs.work import DISPATCH_JOB, request_dispatch

# Crockford's alphabet: no I, L, O or U, so a number read out on the phone is not misheard.
_NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class FaultReport:
    channel: Channel
    fault_text: str
    contact_name: str
    contact_phone: str
    # None means "the asset's registered address".
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    # How the visit location was found when the address differs from the registered one.
    location_note: str = ""
    # The language the customer reported in (the report page's); remembered as theirs when not known yet.
    locale: str | None = None


@dataclass(frozen=True)
class IntakeResult:
    job: Job
    # False when the report joined an already-open job on the same asset.
    created: bool


@dataclass(frozen=True)
class Receipt:
    """What the reporter is told about the job their report opened or joined."""
    created: bool
    number: str
    tracking_token: str
    # Who the job's customer is, to tell them apart from somebody else who scanned the same label.
    contact_phone: str
    status: JobStatus
    category: JobCategory
    entitlement: EntitlementKind
    entitlement_reason: str
    respond_by: datetime
    repair_by: datetime

    @classmethod
    def of(cls, result: IntakeResult) -> Receipt:
        job = result.job
        return cls(created=result.created, **{name: getattr(job, name) for name in _RECEIPT_COLUMNS})


def same_phone(one: str, other: str) -> bool:
    """Two ways of writing one phone number: the digits agree, with or without the country code."""
    a, b = "".join(filter(str.isdigit, one)), "".join(filter(str.isdigit, other))
    return bool(a) and bool(b) and (a == b or (min(len(a), len(b)) >= 8 and (a.endswith(b) or b.endswith(a))))


def shows_tracking_to(*, created: bool, job_phone: str, reporter_phone: str) -> bool:
    """Whether the reporter may follow the job their report opened or joined. A QR label is on the
    appliance for anyone to scan: a report that joins an open job gets its tracking link only when it
    comes from the job's own contact number."""
    return created or same_phone(job_phone, reporter_phone)


_RECEIPT_COLUMNS = ("number", "tracking_token", "contact_phone", "status", "category", "entitlement", "entitlement_reason",
                    "respond_by", "repair_by")


# The statements of every report are built once, so SQLAlchemy finds their compiled form in its
# cache without re-deriving a cache key from a new statement object on each request.

# The model and its warranty terms are needed for every verdict: loaded in the same query.
# Its region too (the region's time zone says which local day the report is on), and the number of
# its finished repairs: most appliances have none, and then the repeat-repair rule needs no other read.
_ASSET_BY_QR = (select(Asset).where(Asset.qr_token == bindparam("qr_token"))
                .options(joinedload(Asset.product_model).joinedload(ProductModel.warranty_policy),
                         joinedload(Asset.region), joinedload(Asset.customer), with_expression(Asset.finished_repairs, finished_repairs_count())))


def _touch_open_job_of(asset_id) -> Update:
    # The RETURNING row refreshes the job when the session already holds it (populate_existing),
    # which costs less than letting the ORM search the session for objects the UPDATE may change.
    return (update(Job).where(Job.asset_id == asset_id, JOB_IS_OPEN)
            .values(updated_at=bindparam("touched_at")).returning(Job)
            .execution_options(synchronize_session=False, populate_existing=True))


_TOUCH_OPEN_JOB = _touch_open_job_of(bindparam("of_asset"))

# The same touch by QR token in plain Core, returning only what a receipt shows: a report sent by
# QR code (the busiest path) needs no Job object, and loading one cost about a tenth of the
# request's CPU (scripts/profile_intake.py: 2.11 -> 1.97 ms per joined report).
_jobs = Job.__table__
_TOUCH_OPEN_JOB_BY_QR = (
    update(_jobs)
    .where(_jobs.c.asset_id == select(Asset.id).where(Asset.qr_token == bindparam("qr_token")).scalar_subquery(),
           JOB_IS_OPEN)
    .values(updated_at=bindparam("touched_at"))
    .returning(_jobs.c.id, *(_jobs.c[name] for name in _RECEIPT_COLUMNS)))

# On PostgreSQL the same touch also appends the report to the job's history, in one statement (a
# data-modifying CTE): one round trip for a join instead of two (scripts/profile_intake.py: 1.97 ->
# 1.76 ms application CPU, 0.41 -> 0.27 ms PostgreSQL CPU per joined report). SQLite has no such CTEs.
_events = JobEvent.__table__
_EVENT_COLUMNS = ("kind", "at", "actor_user_id", "actor_label", "from_status", "to_status", "note", "data")
_touched = _TOUCH_OPEN_JOB_BY_QR.cte("touched")
_JOIN_BY_QR_POSTGRESQL = select(_touched).add_cte(
    insert(_events).from_select(
        ["job_id", *_EVENT_COLUMNS],
        select(_touched.c.id, *(bindparam(f"event_{name}", type_=_events.c[name].type) for name in _EVENT_COLUMNS)))
    .cte("attached"))

# INSERT ... ON CONFLICT DO NOTHING RETURNING, in each backend's spelling, with the values as
# parameters; the returned row is loaded as the Job (for one row cheaper than the ORM's bulk insert).
_INSERT_JOB = {name: select(Job).from_statement(dialect.insert(Job.__table__).on_conflict_do_nothing()
                                                 .returning(*Job.__table__.c))
               for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))}

Locator = Callable[[FaultReport, Asset], FaultReport]


def find_asset_by_qr(session: Session, qr_token: str) -> Asset:
    asset = session.scalar(_ASSET_BY_QR, {"qr_token": qr_token})
    if asset is None:
        raise AssetNotFound(_("No appliance is registered under this code."))
    return asset


def warranty_verdict(asset: Asset, *, now: datetime, tz: ZoneInfo | None = None) -> Entitlement:
    """What the customer would be entitled to for a defect reported today (shown on the QR page),
    today being the date in the asset's region (`tz` serves an asset with no region)."""
    return entitlement_of(asset, on=now.astimezone(zone_of(asset.region, tz)).date())


def touch_open_job(session: Session, asset: Asset, *, now: datetime) -> Job | None:
    """The asset's open job, marked as updated at `now`; None when it has none. One UPDATE ...
    RETURNING instead of a look-up and a write, and it locks the job's row until the transaction
    ends, so a report never joins a job that another transaction is closing at the same moment."""
    return session.scalars(_TOUCH_OPEN_JOB, {"of_asset": asset.id, "touched_at": now}).first()


def report_fault(session: Session, *, asset: Asset, report: FaultReport, actor: Actor, now: datetime,
                 tz: ZoneInfo | None = None) -> IntakeResult:
    """`tz`: the zone for an appliance outside any region (a region's own time zone wins)."""
    existing = touch_open_job(session, asset, now=now)
    if existing is not None:
        return IntakeResult(_attach(existing, report, actor, now), created=False)
    return _open_job(session, asset=asset, report=report, actor=actor, now=now, tz=tz)


def report_fault_by_qr(session: Session, *, qr_token: str, report: FaultReport, actor: Actor, now: datetime,
                       tz: ZoneInfo | None = None, locate: Locator | None = None) -> Receipt:
    """A report sent with the appliance's QR token (raises AssetNotFound for an unknown one).

    Joining an open job needs neither the appliance's details nor the visit's location, so that is
    tried first, by token, in one statement. Only a new job loads the appliance and has `locate`
    turn the report's address into coordinates (network I/O that a join never waits for)."""
    joined = _join_open_job_by_qr(session, qr_token=qr_token, event=event_row(**_attachment_event(report, actor, now)),
                                  now=now)
    if joined is not None:
        held = session.identity_map.get(session.identity_key(Job, joined.id))
        if held is not None:
            # This session already holds the job (not so on the public endpoint): let it re-read
            # what the statements changed rather than show a stale time and history.
            session.expire(held, ["updated_at", "events"])
        return Receipt(created=False, **{name: joined._mapping[name] for name in _RECEIPT_COLUMNS})
    asset = find_asset_by_qr(session, qr_token)
    return Receipt.of(_open_job(session, asset=asset, report=locate(report, asset) if locate else report,
                                actor=actor, now=now, tz=tz))


def _join_open_job_by_qr(session: Session, *, qr_token: str, event: dict, now: datetime) -> Row | None:
    """Mark the open job of the appliance with this QR token updated and append `event` to its
    history; its id and receipt columns, or None (and nothing written) when it has no open job."""
    if session.get_bind().dialect.name == "postgresql":
        params = {"qr_token": qr_token, "touched_at": now, **{f"event_{name}": value for name, value in event.items()}}
        return session.execute(_JOIN_BY_QR_POSTGRESQL, params).first()
    joined = session.execute(_TOUCH_OPEN_JOB_BY_QR, {"qr_token": qr_token, "touched_at": now}).first()
    if joined is not None:
        session.execute(INSERT_EVENT, {"job_id": joined.id, **event})
    return joined


def _open_job(session: Session, *, asset: Asset, report: FaultReport, actor: Actor, now: datetime,
              tz: ZoneInfo | None) -> IntakeResult:
    """A new job for an asset that had no open job a moment ago, or the job of whoever beat us to it."""
    for _attempt in range(3):
        job = _insert_unless_conflicting(session, _new_job_values(session, asset=asset, report=report, actor=actor,
                                                                  now=now, tz=tz))
        if job is not None:
            _record_creation(session, job, report=report, actor=actor, now=now)
            return IntakeResult(job, created=True)
        # Another report on this asset won the race (its open job now exists), or, very rarely, the
        # random job number collided: join the winner, or try again with a new number.
        existing = touch_open_job(session, asset, now=now)
        if existing is not None:
            return IntakeResult(_attach(existing, report, actor, now), created=False)
    raise RuntimeError("could not allocate a unique job number in three attempts")


def _insert_unless_conflicting(session: Session, values: dict) -> Job | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING: None when a unique rule (one open job per asset,
    job number, tracking token) says no. On PostgreSQL a conflicting row still being written by
    another transaction is waited for, so the loser of a race sees the winner's job afterwards."""
    return session.scalars(_INSERT_JOB[session.get_bind().dialect.name], values).first()


def _new_job_values(session: Session, *, asset: Asset, report: FaultReport, actor: Actor, now: datetime,
                    tz: ZoneInfo | None) -> dict:
    classification = classify(report.fault_text)
    zone = zone_of(asset.region, tz)
    entitlement = entitlement_of(asset, on=now.astimezone(zone).date(), category=classification.category,
                                 fault_text=report.fault_text, component=classification.component,
                                 history=RepairHistory(session, asset_id=asset.id, tz=zone,
                                                       known_count=asset.finished_repairs))
    policy = sla_policy_for(session, classification.category, classification.priority)
    respond_by, repair_by = sla_deadlines(policy, now, region=asset.region, fallback_tz=tz)
    use_asset_location = report.latitude is None or report.longitude is None
    needs_a_visit = classification.category in VISIT_CATEGORIES
    return dict(
        number=new_job_number(), tracking_token=secrets.token_urlsafe(24), asset_id=asset.id,
        customer_id=asset.customer_id, channel=report.channel, fault_text=report.fault_text,
        contact_name=report.contact_name, contact_phone=report.contact_phone,
        address=report.address or asset.address,
        latitude=asset.latitude if use_asset_location else report.latitude,
        longitude=asset.longitude if use_asset_location else report.longitude,
        category=classification.category, category_confidence=classification.confidence,
        category_source="classifier", priority=classification.priority,
        entitlement=entitlement.kind, entitlement_reason=entitlement.reason_en,
        entitlement_facts={"code": entitlement.reason_code, **entitlement.facts},
        status=JobStatus.REPORTED, owner_user_id=actor.user.id if actor.user else None, owner_channel=report.channel,
        sla_policy_id=policy.id, reported_at=now, respond_by=respond_by, repair_by=repair_by, updated_at=now,
        dispatch_state=DispatchState.PENDING if needs_a_visit else DispatchState.NOT_NEEDED,
        dispatch_note="", assignment_locked=False,
    )


def _record_creation(session: Session, job: Job, *, report: FaultReport, actor: Actor, now: datetime) -> None:
    write_event(job, kind=EventKind.CREATED, actor=actor, now=now, to_status=JobStatus.REPORTED,
                note=report.fault_text,
                data={"channel": report.channel.value, "category": job.category.value,
                      "confidence": job.category_confidence, "entitlement": job.entitlement.value,
                      **({"location": report.location_note} if report.location_note else {})})
    if job.dispatch_state == DispatchState.PENDING:
        # Queued in the same transaction as the job: it can never be lost, nor sent for a rolled-back job.
        defer(session, queue=DISPATCH, kind=DISPATCH_JOB, payload={"job": job.number}, now=now)
    if report.locale and job.customer.locale is None:
        job.customer.locale = normalise(report.locale)  # so every message to them is in that language
    publish(session, JobReported(job=job, actor=actor, now=now))  # the customer is told (care subscribes)


def _attach(job: Job, report: FaultReport, actor: Actor, now: datetime) -> Job:
    """Join an open job that `touch_open_job` has already marked as updated."""
    write_event(job, **_attachment_event(report, actor, now))
    return job


def _attachment_event(report: FaultReport, actor: Actor, now: datetime) -> dict:
    return dict(kind=EventKind.REPORT_ATTACHED, actor=actor, now=now, note=report.fault_text,
                data={"channel": report.channel.value, "contact_name": report.contact_name,
                      "contact_phone": report.contact_phone})


def new_job_number() -> str:
    return "AC-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))


def entitlement_for_job(session: Session, *, job: Job, tz: ZoneInfo | None = None) -> Entitlement:
    """The entitlement of an existing job decided again from what is on record now (its category, the
    appliance's purchase date, the repairs before it), for the local day it was reported."""
    zone = zone_of(job.asset.region, tz)
    return entitlement_of(job.asset, on=job.reported_at.astimezone(zone).date(), category=job.category,
                          fault_text=job.fault_text, component=classify(job.fault_text).component,
                          history=RepairHistory(session, asset_id=job.asset_id, tz=zone, before_job=job.id))


def store_entitlement(job: Job, entitlement: Entitlement) -> None:
    job.entitlement, job.entitlement_reason = entitlement.kind, entitlement.reason_en
    job.entitlement_facts = {"code": entitlement.reason_code, **entitlement.facts}


def reclassify_job(session: Session, *, job: Job, category: JobCategory, actor: Actor, now: datetime,
                   tz: ZoneInfo | None = None, note: str = "") -> JobEvent:
    """An agent corrects the classifier; entitlement and SLA follow the new category."""
    before = {"category": job.category.value, "entitlement": job.entitlement.value}
    job.category = category
    job.category_confidence = 1.0
    job.category_source = "agent"
    entitlement = entitlement_for_job(session, job=job, tz=tz)
    store_entitlement(job, entitlement)
    policy = sla_policy_for(session, category, job.priority)
    job.sla_policy = policy
    # The promise is made again from the report time (the time waited for the customer still counts);
    # it is stored, never recomputed by readers.
    refresh_deadlines(session, job=job, tz=tz)
    job.updated_at = now
    if needs_visit(job) and job.dispatch_state == DispatchState.NOT_NEEDED and job.status in (
            JobStatus.REPORTED, JobStatus.TRIAGED):
        request_dispatch(session, job, now=now)
    elif not needs_visit(job) and job.dispatch_state != DispatchState.NOT_NEEDED and job.technician_id is None:
        job.dispatch_state = DispatchState.NOT_NEEDED
    event = record_event(job, kind=EventKind.RECLASSIFIED, actor=actor, now=now, note=note,
                         data={"from": before, "to": {"category": category.value,
                                                      "entitlement": entitlement.kind.value}})
    session.flush()
    return event
