"""What happens to quotes that other packages react to (see core.events)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dispatch.jobs.audit import Actor
from dispatch.quotes.models import Quote


@dataclass(frozen=True)
class QuoteGiven:
    """A quote was written (or written again) for the customer to approve: the customer is told."""
    quote: Quote
    actor: Actor
    now: datetime
