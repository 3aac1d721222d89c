"""A message to the customer at every step of their job, in their language, with times in their region's
local time: the report received, the visit planned, the visit moved, the technician on the way, a part
awaited, the job completed (the survey follows, from care.callbacks).

Each message is an outbox row queued by an event handler, so it is written in the same transaction as
the change that causes it: a rolled-back move tells nobody. A message that can wait is held through
the customer's quiet hours; one that is not about the visit itself carries an opt-out link and is not
written at all for a customer who opted out."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, inspect, select
from sqlalchemy.orm import Session

from care.message_settings import current
from care.models import DeliveryState, OutboxMessage
from care.opt_out import opt_out_url
from care.outbox import customer_address, is_held, queue_message, supersede
from care.quiet_hours import quiet_until
from core.geo import provider_for_region
from core.i18n import LOCALES, current_locale, normalise, use_locale
from core.i18n import gettext as _
from core.regions import zone_of
from dispatch.catalog.models import Customer
from dispatch.intake.reasons import explain
from dispatch.jobs.eta import live_eta
from dispatch.jobs.events import (
    EntitlementChanged,
    JobReported,
    JobsPlaced,
    JobStatusChanged,
    JobUnassignable,
    JobWindowConfirmed,
)
from dispatch.jobs.models import Job, Priority
from dispatch.jobs.status import STARTED_STATUSES, JobStatus
from inventory.models import JobPart, JobPartState, Part

REPORT_RECEIVED = "report_received"
TECHNICIAN_ASSIGNED = "technician_assigned"
VISIT_MOVED = "visit_moved"
VISIT_UNPLANNED = "visit_unplanned"
TECHNICIAN_ON_THE_WAY = "technician_on_the_way"
WAITING_FOR_PART = "waiting_for_part"
JOB_COMPLETED = "job_completed"
# Sent by care.callbacks a while after completion; it is the only message that asks something back.
SURVEY = "survey"
ENTITLEMENT_CHANGED = "entitlement_changed"
# A confirmed appointment window, and its change: see `tell_window`.
WINDOW_CONFIRMED = "window_confirmed"
WINDOW_CHANGED = "window_changed"

# About the visit itself: sent even to a customer who opted out, and without an opt-out link.
ESSENTIAL = frozenset({REPORT_RECEIVED, TECHNICIAN_ASSIGNED, VISIT_MOVED, VISIT_UNPLANNED, TECHNICIAN_ON_THE_WAY,
                       WINDOW_CONFIRMED, WINDOW_CHANGED})
# Useless an hour late: never held for the quiet hours.
TIME_CRITICAL = frozenset({TECHNICIAN_ON_THE_WAY})
# The messages that promise a time; the last of them is what the customer was told.
PROMISES = (TECHNICIAN_ASSIGNED, VISIT_MOVED, WINDOW_CONFIRMED, WINDOW_CHANGED)
# After these the visit promised before is over: the next plan is told as a new visit.
PROMISE_SPENT = (WAITING_FOR_PART, JOB_COMPLETED, VISIT_UNPLANNED)

Text = Callable[[], tuple[str, str]]  # (subject, body) in the current language


@dataclass(frozen=True)
class LocalTime:
    day: str
    time: str

    @classmethod
    def of(cls, job: Job, moment: datetime) -> LocalTime:
        local = moment.astimezone(zone_of(job.asset.region, current().fallback_tz))
        return cls(day=f"{local:%Y-%m-%d}", time=f"{local:%H:%M}")


def tracking_link(job: Job) -> str:
    return f"{current().base_url}/t/{job.tracking_token}"


def tell_customer(session: Session, *, job: Job, purpose: str, text: Text, now: datetime,
                  data: dict | None = None) -> OutboxMessage | None:
    """Queue `text` for the job's customer by their preferred channel; None when they opted out of it."""
    customer = job.customer
    essential = purpose in ESSENTIAL
    if not essential and customer.messages_opted_out_at is not None:
        return None
    locale = normalise(customer.locale)
    subjects, bodies = [], []
    for language in [locale] if locale else LOCALES:
        with use_locale(language):
            subject, body = text()
            if not essential:
                body += "\n\n" + _("To stop messages like this one (you will still hear about your visit): "
                                   "%(link)s", link=opt_out_url(customer))
        subjects.append(subject)
        bodies.append(body)
    settings = current()
    held = None if purpose in TIME_CRITICAL or job.priority == Priority.URGENT else quiet_until(
        now, tz=zone_of(job.asset.region, settings.fallback_tz), start=settings.quiet_start, end=settings.quiet_end)
    channel, recipient = customer_address(job)
    return queue_message(session, channel=channel, purpose=purpose, recipient=recipient, job=job, now=now,
                         subject=" / ".join(subjects), body="\n\n".join(bodies), not_before=held,
                         data={"job": job.number, **(data or {})})


# --- the steps ------------------------------------------------------------------------------------

def tell_report_received(session: Session, event: JobReported) -> None:
    job = event.job

    def text() -> tuple[str, str]:
        return (_("We received your report: job %(number)s", number=job.number),
                _("Thank you, %(name)s. We received your report (job %(number)s) and will keep you informed at "
                  "every step. Follow your job at any time: %(link)s", name=job.contact_name, number=job.number,
                  link=tracking_link(job)))

    tell_customer(session, job=job, purpose=REPORT_RECEIVED, text=text, now=event.now)


def last_promise(session: Session, job: Job, *, now: datetime) -> OutboxMessage | None:
    """The last message that told (or will tell) the customer when to expect the visit, if it still
    stands: after a "waiting for a part" or "completed" message the next plan is a new visit, not a move.
    A promise still held for the quiet hours is withdrawn first: the news about to be written replaces
    it, so the customer wakes up to one message, and the promise before it is the one they know."""
    return last_promises(session, [job], now=now)[job.id]


def last_promises(session: Session, jobs: Sequence[Job], *, now: datetime) -> dict[int, OutboxMessage | None]:
    """`last_promise` of each job (by job id), read in one query whatever the number of jobs."""
    if not jobs:
        return {}
    latest: dict[int, list[OutboxMessage]] = defaultdict(list)
    for message in session.scalars(_LAST_TWO_PROMISES, {"job_ids": list({job.id for job in jobs})}):
        latest[message.job_id].append(message)
    return {job.id: _standing_promise(latest[job.id], now=now) for job in jobs}


# Only each job's two newest: the promise, or the held one and the promise it replaces. Built once, so
# every plan finds its compiled form in SQLAlchemy's cache.
_ranked = (select(OutboxMessage.id, func.row_number().over(partition_by=OutboxMessage.job_id,
                                                           order_by=OutboxMessage.id.desc()).label("recency"))
           .where(OutboxMessage.job_id.in_(bindparam("job_ids", expanding=True)),
                  OutboxMessage.purpose.in_((*PROMISES, *PROMISE_SPENT)),
                  OutboxMessage.state != DeliveryState.SUPERSEDED)
           .subquery())
_LAST_TWO_PROMISES = (select(OutboxMessage).join(_ranked, _ranked.c.id == OutboxMessage.id)
                      .where(_ranked.c.recency <= 2).order_by(OutboxMessage.job_id, OutboxMessage.id.desc()))


def _standing_promise(latest: list[OutboxMessage], *, now: datetime) -> OutboxMessage | None:
    if latest and latest[0].purpose in PROMISES and is_held(latest[0], now=now):
        supersede(latest[0], now=now)
        latest = latest[1:]
    return latest[0] if latest and latest[0].purpose in PROMISES else None


def tell_plan(session: Session, event: JobsPlaced) -> None:
    """A technician and a planned time, the first time; afterwards only a move by more than the threshold
    (whatever moved it: a dispatcher, a re-optimisation, room made for another job) is news.

    A job with a confirmed appointment window has the window as its promise instead: `tell_window` says
    when it is confirmed or changed, and a move inside the window is not news. A visit planned outside it
    (the window passed before anyone came) is a move like any other.

    What each customer was last told is read for all the placed jobs at once, and so are the customers
    to tell: a route's worth of moved visits costs no more look-ups than one."""
    # Under way: the customer was told the technician is coming, and a re-plan changes nothing there.
    jobs = [job for job in dict.fromkeys(event.jobs)
            if job.planned_start is not None and job.status not in STARTED_STATUSES and not _inside_window(job)]
    told = last_promises(session, jobs, now=event.now)
    news = [(job, found) for job in jobs if (found := _plan_news(job, told[job.id])) is not None]
    customers = _load_customers(session, [job for job, _ in news])  # noqa: F841 - held until each job finds its own
    for job, (purpose, text, data) in news:
        tell_customer(session, job=job, purpose=purpose, text=text, now=event.now, data=data)


def _plan_news(job: Job, told: OutboxMessage | None) -> tuple[str, Text, dict] | None:
    """What to tell the customer of a job placed when `told` is what they last heard; None for nothing."""
    planned = LocalTime.of(job, job.planned_start)
    if told is None:
        def text() -> tuple[str, str]:
            return (_("Your visit is planned: job %(number)s", number=job.number),
                    _("A technician is assigned to job %(number)s. The planned visit is on %(day)s, arriving "
                      "around %(time)s (local time). This is our plan, not yet a fixed appointment: we will tell you "
                      "if it changes. Follow your job: %(link)s", number=job.number, day=planned.day,
                      time=planned.time, link=tracking_link(job)))

        return TECHNICIAN_ASSIGNED, text, {"planned_start": job.planned_start.isoformat()}
    before_at = told.data.get("planned_start")
    if before_at is None:
        return None
    before_moment = datetime.fromisoformat(before_at)
    if abs(job.planned_start - before_moment) <= current().visit_change:
        return None  # the customer's expectation still holds: not worth a message
    before = LocalTime.of(job, before_moment)
    other_day = before.day != planned.day

    def moved() -> tuple[str, str]:
        if other_day:
            return (_("Your visit moved to another day: job %(number)s", number=job.number),
                    _("The planned visit for job %(number)s moved to another day: %(day)s, arriving around "
                      "%(time)s (local time) instead of %(before_day)s at %(before_time)s. Follow your job: "
                      "%(link)s", number=job.number, day=planned.day, time=planned.time, before_day=before.day,
                      before_time=before.time, link=tracking_link(job)))
        return (_("Your visit time changed: job %(number)s", number=job.number),
                _("The planned visit for job %(number)s on %(day)s is now around %(time)s (local time) instead of "
                  "%(before_time)s. Follow your job: %(link)s", number=job.number, day=planned.day,
                  time=planned.time, before_time=before.time, link=tracking_link(job)))

    return VISIT_MOVED, moved, {"planned_start": job.planned_start.isoformat(), "before": before_at,
                                "other_day": other_day}


def _load_customers(session: Session, jobs: list[Job]) -> list[Customer]:
    """The customers of these jobs in one query: while the caller holds them, each job finds its own in
    the session without another (the session keeps objects only as long as somebody does)."""
    missing = {job.customer_id for job in jobs if "customer" in inspect(job).unloaded}
    return list(session.scalars(select(Customer).where(Customer.id.in_(missing)))) if len(missing) > 1 else []


def _inside_window(job: Job) -> bool:
    return job.window_start is not None and job.window_end is not None \
        and job.window_start <= job.planned_start <= job.window_end


def tell_unplanned(session: Session, event: JobUnassignable) -> None:
    """The promised visit cannot be kept and no other place was found: say so rather than let the promised
    time pass in silence (a person takes the case from here). Nothing when no time was promised."""
    job = event.job
    if last_promise(session, job, now=event.now) is None:
        return

    def text() -> tuple[str, str]:
        return (_("We are finding a new time for your visit: job %(number)s", number=job.number),
                _("The planned visit for job %(number)s cannot take place as planned. We are finding a new time "
                  "and will tell you as soon as it is planned. Follow your job: %(link)s", number=job.number,
                  link=tracking_link(job)))

    tell_customer(session, job=job, purpose=VISIT_UNPLANNED, text=text, now=event.now)


def tell_window(session: Session, *, job: Job, start: datetime, end: datetime, changed: bool,
                now: datetime) -> OutboxMessage | None:
    """The customer's confirmed appointment window, or its change (a reschedule, by them or by staff)."""
    begins, ends = LocalTime.of(job, start), LocalTime.of(job, end)

    def text() -> tuple[str, str]:
        if changed:
            return (_("Your visit window changed: job %(number)s", number=job.number),
                    _("Your visit for job %(number)s is now on %(day)s between %(start)s and %(end)s (local time). "
                      "Follow your job: %(link)s", number=job.number, day=begins.day, start=begins.time,
                      end=ends.time, link=tracking_link(job)))
        return (_("Your visit window is confirmed: job %(number)s", number=job.number),
                _("Your visit for job %(number)s is confirmed for %(day)s between %(start)s and %(end)s (local "
                  "time). Follow your job: %(link)s", number=job.number, day=begins.day, start=begins.time,
                  end=ends.time, link=tracking_link(job)))

    return tell_customer(session, job=job, purpose=WINDOW_CHANGED if changed else WINDOW_CONFIRMED, text=text,
                         now=now, data={"planned_start": start.isoformat(), "window_end": end.isoformat()})


def tell_window_confirmed(session: Session, event: JobWindowConfirmed) -> None:
    tell_window(session, job=event.job, start=event.start, end=event.end, changed=event.changed, now=event.now)


def tell_status(session: Session, event: JobStatusChanged) -> None:
    job, now = event.job, event.now
    if event.to_status == JobStatus.EN_ROUTE:
        # The same estimate the tracking page shows: from where the technician set off, else the plan.
        settings = current()
        estimate = live_eta(job, now=now, provider=provider_for_region(job.asset.region, osrm_url=settings.osrm_url)
                            if job.asset.region is not None else None, fresh_for=settings.position_fresh)
        eta = LocalTime.of(job, estimate.around) if estimate else None

        def on_the_way() -> tuple[str, str]:
            subject = _("Your technician is on the way: job %(number)s", number=job.number)
            if eta is None:
                return subject, _("Your technician is on the way to you for job %(number)s. Follow your job: "
                                  "%(link)s", number=job.number, link=tracking_link(job))
            return subject, _("Your technician is on the way to you for job %(number)s and expects to arrive "
                              "around %(time)s (local time). Follow your job: %(link)s", number=job.number,
                              time=eta.time, link=tracking_link(job))

        tell_customer(session, job=job, purpose=TECHNICIAN_ON_THE_WAY, text=on_the_way, now=now,
                      data={"eta": estimate.around.isoformat() if estimate else None,
                            "eta_source": estimate.source.value if estimate else None})
    elif event.to_status == JobStatus.WAITING_PARTS:
        expected = _part_expected_at(session, job)
        day = LocalTime.of(job, expected).day if expected else None

        def waiting() -> tuple[str, str]:
            subject = _("Waiting for a part: job %(number)s", number=job.number)
            if day is None:
                return subject, _("Job %(number)s needs a part. We are getting it and will tell you the new visit "
                                  "time once it is here. Follow your job: %(link)s", number=job.number,
                                  link=tracking_link(job))
            return subject, _("Job %(number)s needs a part, which we expect on %(day)s. We will plan the visit "
                              "again once it is here and tell you the new time. Follow your job: %(link)s",
                              number=job.number, day=day, link=tracking_link(job))

        tell_customer(session, job=job, purpose=WAITING_FOR_PART, text=waiting, now=now,
                      data={"expected_at": expected.isoformat() if expected else None})
    elif event.to_status == JobStatus.COMPLETED:
        fitted = _parts_fitted(session, job)
        note = event.note.split("\n[office override", 1)[0].strip()[:300]

        def completed() -> tuple[str, str]:
            lines = [_("Your job %(number)s is completed.", number=job.number)]
            if note:
                lines.append(_("What was done: %(summary)s", summary=note))
            if parts := fitted():
                lines.append(_("Parts fitted: %(parts)s", parts=", ".join(parts)))
            lines.append(_("We will ask you shortly how it went. Follow your job: %(link)s", link=tracking_link(job)))
            return _("Job %(number)s is completed", number=job.number), "\n".join(lines)

        tell_customer(session, job=job, purpose=JOB_COMPLETED, text=completed, now=now)


def _part_expected_at(session: Session, job: Job) -> datetime | None:
    """When the last part the job waits for is expected (None when no date is known)."""
    dates = session.scalars(select(JobPart.expected_at).where(
        JobPart.job_id == job.id, JobPart.state.in_([JobPartState.AWAITING, JobPartState.RESERVED]),
        JobPart.expected_at.is_not(None))).all()
    return max(dates) if dates else None


def _parts_fitted(session: Session, job: Job) -> Callable[[], list[str]]:
    """The parts fitted at the job, named in the current language when it is shown."""
    rows = session.execute(select(Part.name, Part.name_zh, JobPart.quantity).join(Part, Part.id == JobPart.part_id)
                           .where(JobPart.job_id == job.id, JobPart.state == JobPartState.CONSUMED)
                           .order_by(JobPart.id)).all()

    def names() -> list[str]:
        chinese = current_locale() == "zh_CN"
        return [f"{quantity} × {zh if chinese and zh else name}" if quantity != 1 else (zh if chinese and zh else name)
                for name, zh, quantity in rows]

    return names


def tell_entitlement_changed(session: Session, event: EntitlementChanged) -> None:
    """A proof of purchase changed what the customer is entitled to (say, a chargeable repair became free)."""
    job = event.job

    def text() -> tuple[str, str]:
        return (_("Your proof of purchase was checked: job %(number)s", number=job.number),
                _("We checked your proof of purchase for job %(number)s. %(reason)s Follow your job: %(link)s",
                  number=job.number, reason=explain(job.entitlement_facts.get("code", ""), job.entitlement_facts),
                  link=tracking_link(job)))

    tell_customer(session, job=job, purpose=ENTITLEMENT_CHANGED, text=text, now=event.now,
                  data={"from": event.before.value, "to": job.entitlement.value})
