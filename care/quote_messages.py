"""The customer hears of their quote: what the paid repair costs, line by line, and where to approve or
decline it (the tracking page), in their language."""
from __future__ import annotations

from sqlalchemy.orm import Session

from care.customer_messages import tell_customer, tracking_link
from core.events import subscribe
from core.i18n import gettext as _
from core.i18n import local_name
from dispatch.quotes.events import QuoteGiven
from dispatch.quotes.money import yuan

QUOTE_GIVEN = "quote_given"


def tell_quote(session: Session, event: QuoteGiven) -> None:
    quote = event.quote
    job = quote.job

    def text() -> tuple[str, str]:
        lines = [_("%(part)s × %(n)s: %(amount)s", part=local_name(line.part), n=line.quantity, amount=yuan(line.amount))
                 for line in quote.lines]
        lines.append(_("Labour: %(amount)s", amount=yuan(quote.labour)))
        body = _("Your repair (job %(number)s) is not covered by the warranty. The quote:", number=job.number)
        body += "\n" + "\n".join(lines) + "\n" + _("Total: %(amount)s", amount=yuan(quote.total))
        if quote.call_out_fee:
            body += "\n" + _("If you decline after the technician's visit, the call-out fee of %(fee)s is due.",
                             fee=yuan(quote.call_out_fee))
        body += "\n" + _("Approve or decline it here; no work starts before you approve: %(link)s",
                         link=tracking_link(job))
        return _("Your quote for job %(number)s: %(total)s", number=job.number, total=yuan(quote.total)), body

    tell_customer(session, job=job, purpose=QUOTE_GIVEN, text=text, now=event.now, data={"quote": str(quote.total)})


subscribe(QuoteGiven, tell_quote)
