"""How a customer wants to be told: their language, their channel, and whether they want the updates
that are not about the visit itself. Set by the customer (the opt-out link, the report page's
language) or by an agent on the phone, audited on the job."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from care.outbox import CUSTOMER_CHANNELS
from core.i18n import LOCALES
from core.i18n import gettext as _
from dispatch.catalog.models import Customer
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import EventKind, Job
from dispatch.jobs.services import record_event


class PreferenceRefused(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class MessagePreferences:
    locale: str | None
    channel: str | None
    opted_out: bool
    has_email: bool

    @classmethod
    def of(cls, customer: Customer) -> MessagePreferences:
        return cls(locale=customer.locale, channel=customer.preferred_channel,
                   opted_out=customer.messages_opted_out_at is not None, has_email=bool(customer.email))


def set_message_preferences(session: Session, *, job: Job, locale: str | None, channel: str | None,
                            opted_out: bool, actor: Actor, now: datetime) -> MessagePreferences:
    """Change the preferences of the job's customer (None: not known, the defaults apply)."""
    customer = job.customer
    if locale is not None and locale not in LOCALES:
        raise PreferenceRefused("locale", _("Choose a language the messages are written in."))
    if channel is not None and channel not in CUSTOMER_CHANNELS:
        raise PreferenceRefused("channel", _("Choose e-mail, SMS or WeChat."))
    if channel == "email" and not customer.email:
        raise PreferenceRefused("channel", _("The customer has no e-mail address: choose SMS or WeChat."))
    before = MessagePreferences.of(customer)
    customer.locale, customer.preferred_channel = locale, channel
    if opted_out and customer.messages_opted_out_at is None:
        customer.messages_opted_out_at = now
    elif not opted_out:
        customer.messages_opted_out_at = None
    after = MessagePreferences.of(customer)
    if after != before:
        record_event(job, kind=EventKind.MESSAGE_PREFERENCES, actor=actor, now=now,
                     data={"from": {"locale": before.locale, "channel": before.channel, "opted_out": before.opted_out},
                           "to": {"locale": after.locale, "channel": after.channel, "opted_out": after.opted_out}})
    session.flush()
    return after
