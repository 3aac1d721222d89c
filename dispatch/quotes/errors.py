"""Refusals of paid-repair operations: each names the input at fault and the HTTP status a boundary answers with."""
from __future__ import annotations

from core.i18n import gettext as _
from dispatch.jobs.status import ALLOWED_TRANSITIONS, InvalidTransition, JobStatus


class QuoteRefused(Exception):
    """A quote that cannot be given or decided as asked; `field` names the input at fault."""

    def __init__(self, message: str, *, field: str = "quote", code: int = 422):
        super().__init__(message)
        self.field, self.code = field, code


class QuoteAlreadyDecided(QuoteRefused):
    """The customer (or an agent for them) already approved or declined: a decision is never changed."""

    def __init__(self, message: str):
        super().__init__(message, field="quote", code=409)


class NoQuote(QuoteRefused):
    def __init__(self, message: str):
        super().__init__(message, field="quote", code=409)


class QuoteNotApproved(InvalidTransition):
    """Paid work asked to start (completing the repair, ordering parts for it) before the customer approved
    the quote. A refused status change like any other, so every boundary that answers those answers this."""

    def __init__(self, current: JobStatus, requested: JobStatus):
        Exception.__init__(self, _("This is a paid repair: the customer must approve the quote before the work "
                                   "(completing the repair or ordering parts for it)."))
        self.current, self.requested = current, requested
        self.allowed = sorted(ALLOWED_TRANSITIONS[current])
