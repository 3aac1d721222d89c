"""The customer's live view of their job, shared by the tracking page and its JSON: when to expect the
technician (dispatch.jobs.eta), who is coming (a first name and a face, never a phone number), the
number to call, the promises as kept or missed, and the history oldest first. Texts come out in the
page's language, so the page's script can put them in place as they are."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import url_for
from flask_babel import gettext as _

from api.context import now, services, travel_provider
from api.database import db
from api.labels import label
from api.local_time import zone_of
from api.presenters import tel_link, tracking_view
from core.regions import Region
from dispatch.jobs.eta import Eta, EtaSource, live_eta
from dispatch.jobs.models import Job
from dispatch.jobs.promises import Promise, PromiseKind, PromiseState, customer_promises
from dispatch.jobs.status import JobStatus
from dispatch.quotes.models import Quote, QuoteState
from dispatch.quotes.services import needs_quote, quote_of
from dispatch.technicians.models import Technician

_CJK = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+$")


def first_name(display_name: str) -> str:
    """What the customer may know of the technician's name. A name written in Chinese characters
    without spaces is family name first; its family name with 师傅 ("master", how a technician is
    addressed) says less than the given name and is what a customer would call them anyway."""
    name = display_name.strip()
    if _CJK.match(name):
        return name[0] + "师傅"
    return name.split()[0] if name else ""


def initials(display_name: str) -> str:
    """One or two letters for the avatar of a technician without a photo."""
    name = display_name.strip()
    if not name:
        return "?"
    if _CJK.match(name):
        return name[0]
    letters = [part[0] for part in name.split() if part and unicodedata.category(part[0]).startswith("L")]
    return "".join(letters[:2]).upper() or name[0]


@dataclass(frozen=True)
class TechnicianCard:
    first_name: str
    initials: str
    photo_url: str | None


def technician_card(technician: Technician) -> TechnicianCard:
    name = technician.user.display_name
    photo = url_for("public.technician_photo", name=technician.photo_name) if technician.photo_name else None
    return TechnicianCard(first_name(name), initials(name), photo)


def hotline_for(region: Region | None) -> str:
    """The region's own service line, else the installation's ("" when neither is set)."""
    return (region.hotline if region is not None and region.hotline else None) or services().settings.hotline


def _local(moment: datetime, job: Job) -> datetime:
    return moment.astimezone(zone_of(job, services().tz))


def when(moment: datetime, job: Job, *, at: datetime) -> str:
    """A moment as the customer reads it: the time alone today, the date and time another day."""
    local, today = _local(moment, job), _local(at, job)
    return f"{local:%H:%M}" if local.date() == today.date() else f"{local:%Y-%m-%d %H:%M}"


def eta_text(eta: Eta, job: Job, *, at: datetime) -> str:
    around = when(eta.around, job, at=at)
    if eta.source == EtaSource.LIVE:
        return _("about %(time)s (between %(earliest)s and %(latest)s)", time=around,
                 earliest=f"{_local(eta.earliest, job):%H:%M}", latest=f"{_local(eta.latest, job):%H:%M}")
    return _("about %(time)s (planned)", time=around)


def promise_text(promise: Promise, job: Job, *, at: datetime) -> str:
    # A promise is read again later (a message, a complaint): its times always carry their date.
    due = f"{_local(promise.due, job):%Y-%m-%d %H:%M}"
    done = f"{_local(promise.done_at, job):%Y-%m-%d %H:%M}" if promise.done_at else ""
    texts = {
        (PromiseKind.RESPOND, PromiseState.PENDING): lambda: _("We will contact you by %(due)s.", due=due),
        (PromiseKind.RESPOND, PromiseState.MET): lambda: _(
            "Promise kept: we contacted you at %(done)s (we promised by %(due)s).", done=done, due=due),
        (PromiseKind.RESPOND, PromiseState.LATE): lambda: _(
            "We contacted you at %(done)s, later than our promise (by %(due)s). We are sorry.", done=done, due=due),
        (PromiseKind.RESPOND, PromiseState.MISSED): lambda: _(
            "We missed our promise to contact you by %(due)s. Your case has gone to a supervisor, and an agent is "
            "calling you as soon as possible.", due=due),
        (PromiseKind.REPAIR, PromiseState.PENDING): lambda: _("We will repair it by %(due)s.", due=due),
        (PromiseKind.REPAIR, PromiseState.MET): lambda: _(
            "Promise kept: repaired at %(done)s (we promised by %(due)s).", done=done, due=due),
        (PromiseKind.REPAIR, PromiseState.LATE): lambda: _(
            "Repaired at %(done)s, later than our promise (by %(due)s). We are sorry.", done=done, due=due),
        (PromiseKind.REPAIR, PromiseState.MISSED): lambda: _(
            "We missed our promise to repair it by %(due)s. A supervisor is following your case and we will "
            "tell you the new date.", due=due),
    }
    return texts[(promise.kind, promise.state)]()


def next_step(job: Job, *, eta: Eta | None, technician: TechnicianCard | None, promises: list[Promise],
              at: datetime, quote: Quote | None = None) -> str:
    """What happens next, never a time already past. `quote`: the job's quote, if it has one."""
    name = technician.first_name if technician else _("Your technician")
    if job.status == JobStatus.ON_SITE and quote is not None and quote.state == QuoteState.PENDING:
        # Paid work waits for the customer's yes: "working on it" would tell them there is nothing to do.
        return _("%(technician)s is waiting for your answer to the quote: nothing is repaired before you approve it.",
                 technician=name)
    if job.status == JobStatus.ASSIGNED and technician:
        if eta is None:
            return _("%(technician)s will visit you; we will tell you the time.", technician=name)
        return _("%(technician)s will visit you %(eta)s.", technician=name, eta=eta_text(eta, job, at=at))
    if job.status == JobStatus.EN_ROUTE:
        if eta is None:
            return _("%(technician)s is on the way to you.", technician=name)
        return _("%(technician)s is on the way and should arrive %(eta)s.", technician=name,
                 eta=eta_text(eta, job, at=at))
    if job.status == JobStatus.REPORTED:
        respond = next((p for p in promises if p.kind == PromiseKind.RESPOND), None)
        if respond is not None and respond.state == PromiseState.MISSED:
            return _("An agent is reviewing your report and will call you as soon as possible.")
        return label("next", "reported", respond_by=when(job.respond_by, job, at=at))
    return label("next", job.status.value, technician=name, eta="", respond_by="")


def _fingerprint(*parts) -> str:
    """Changes whenever the page would show something else than the status and arrival time alone:
    the page's script reloads the whole page then."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def live_tracking(job: Job) -> dict:
    """Everything the tracking page shows, as of now."""
    at, settings = now(), services().settings
    region = job.asset.region
    visiting = job.technician is not None and job.status in (JobStatus.ASSIGNED, JobStatus.EN_ROUTE,
                                                              JobStatus.ON_SITE)
    technician = technician_card(job.technician) if visiting else None
    eta = live_eta(job, now=at, provider=travel_provider(region) if region is not None else None,
                   fresh_for=timedelta(minutes=settings.position_fresh_minutes))
    promises = customer_promises(job, now=at)
    quote = quote_of(db(), job) if needs_quote(job) else None
    base = tracking_view(job)
    timeline = base["timeline"]
    hotline = hotline_for(region)
    return {
        **base, "status_text": label("status", job.status.value),
        "technician_name": technician.first_name if technician else None, "technician": technician,
        "eta": eta, "eta_text": eta_text(eta, job, at=at) if eta else None,
        "next_step": next_step(job, eta=eta, technician=technician, promises=promises, at=at, quote=quote),
        "promises": [{"kind": p.kind.value, "state": p.state.value, "due": p.due, "done_at": p.done_at,
                      "text": promise_text(p, job, at=at)} for p in promises],
        "hotline": hotline or None, "hotline_link": tel_link(hotline) if hotline else None,
        "refresh_seconds": settings.track_refresh_seconds,
        "fingerprint": _fingerprint(job.status.value, [(p.kind, p.state) for p in promises], len(timeline),
                                    technician, eta.source if eta else None,
                                    # A quote given, rewritten or decided is a card to show or change.
                                    (quote.state.value, str(quote.total)) if quote else None),
    }
