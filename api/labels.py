"""Texts chosen by a value at run time (a status, a field, an error code): each group maps the value
to its English msgid, marked with N_ so the catalogue extraction finds it; `label()` translates it
in the current language."""
from __future__ import annotations

from core.i18n import N_, gettext

LABELS: dict[str, dict[str, str]] = {
    "role": {
        "agent": N_("Agent"),
        "dispatcher": N_("Dispatcher"),
        "technician": N_("Technician"),
        "warehouse": N_("Warehouse staff"),
        "manager": N_("Manager"),
        "admin": N_("Administrator"),
    },
    "report.err": {
        "fault_text": N_("Please describe the fault in 5 to 2000 characters."),
        "contact_name": N_("Please give your name (up to 120 characters)."),
        "contact_phone": N_("Please give a phone number we can call (digits, +, spaces or dashes)."),
        "address": N_("The address is too long (at most 255 characters)."),
        "location": N_("The location from your phone was not valid; it was not used."),
    },
    "entitlement": {
        "refund": N_("Refund"),
        "exchange": N_("Exchange"),
        "free_repair": N_("Free repair"),
        "paid_repair": N_("Paid repair"),
    },
    "why": {
        "no_purchase_date": N_("No purchase date is on record, so the repair is chargeable unless a proof of purchase is shown."),
        "within_return": N_("Reported %(days)s day(s) after purchase, within the %(limit)s-day return period: a full refund is available."),
        "within_exchange": N_("Reported %(days)s day(s) after purchase, within the %(limit)s-day exchange period: the unit can be exchanged for a new one."),
        "under_warranty": N_("Under the %(months)s-month warranty until %(until)s: parts and labour are free."),
        "exchange_passed_under_warranty": N_("The %(limit)s-day exchange period has passed. Under the %(months)s-month warranty until %(until)s: parts and labour are free."),
        "warranty_ended": N_("The %(months)s-month warranty ended on %(until)s: the repair is chargeable; a quote is given before any work."),
    },
    "status": {
        "reported": N_("Reported"),
        "triaged": N_("Reviewed"),
        "assigned": N_("Technician assigned"),
        "en_route": N_("Technician on the way"),
        "on_site": N_("Technician on site"),
        "waiting_parts": N_("Waiting for parts"),
        "completed": N_("Completed"),
        "closed": N_("Closed"),
        "remote_resolved": N_("Solved remotely"),
        "cancelled": N_("Cancelled"),
    },
    "next": {
        "reported": N_("An agent will review your report and contact you by %(respond_by)s."),
        "triaged": N_("We are finding the nearest qualified technician for you."),
        "assigned": N_("%(technician)s will visit you around %(eta)s."),
        "en_route": N_("The technician is on the way to you."),
        "on_site": N_("The technician is working on your appliance."),
        "waiting_parts": N_("A part is on its way; the technician will come back when it arrives."),
        "completed": N_("The job is done. We will ask you how it went."),
        "closed": N_("This request is closed. Thank you."),
        "remote_resolved": N_("Your question was answered without a visit."),
        "cancelled": N_("This request was cancelled."),
    },
    "event": {
        "report_attached": N_("Further report added"),
        "reclassified": N_("Request type updated"),
        "ownership_changed": N_("Handed to a colleague"),
    },
    "error": {
        "404.title": N_("Not found"),
        "404.message": N_("We could not find this page. If you scanned a label, please check the code or call our service line."),
        "429.title": N_("Too many requests"),
        "429.message": N_("Please wait a minute and try again."),
        "400.title": N_("Something was wrong with the request"),
        "403.title": N_("Not allowed"),
        "403.message": N_("Your account cannot open this page."),
        "500.title": N_("Something went wrong"),
        "500.message": N_("Nothing was saved. Please try again in a moment."),
        "csrf": N_("This form has expired. Please go back, reload the page and send it again."),
        "413.title": N_("Too large"),
        "413.message": N_("The file is too large; nothing was saved."),
    },
    "survey.rating": {
        "1": N_("Very poor"),
        "2": N_("Poor"),
        "3": N_("Fair"),
        "4": N_("Good"),
        "5": N_("Excellent"),
    },
    "survey.area": {
        "product": N_("The appliance still has a problem"),
        "punctuality": N_("The technician was late"),
        "attitude": N_("The technician's attitude"),
        "communication": N_("We did not keep you informed"),
    },
    "survey.err": {
        "rating": N_("Please choose a rating from 1 to 5."),
        "fixed": N_("Please tell us whether the problem was fixed."),
        "problem_areas": N_("Please choose only from the listed problems."),
        "comment": N_("The comment is too long (at most 2000 characters)."),
    },
    "field.part_state": {
        "reserved": N_("reserved at %(where)s"),
        "awaiting": N_("on its way, expected %(when)s"),
        "consumed": N_("fitted"),
        "released": N_("given back"),
    },
    "field.action": {
        "accept": N_("Accept"),
        "en_route": N_("On my way"),
        "on_site": N_("Arrived on site"),
        "waiting_parts": N_("Waiting for parts"),
        "completed": N_("Complete job"),
    },
    "stock.nav": {
        "levels": N_("Stock"),
        "receive": N_("Receive goods"),
        "adjust": N_("Adjust"),
        "transfers": N_("Transfers"),
        "rules": N_("Restock rules"),
        "emergencies": N_("Emergency queue"),
    },
    "stock.kind": {
        "transfer": N_("Transfer"),
        "purchase_order": N_("Purchase order"),
    },
    "stock.order": {
        "requested": N_("Requested"),
        "shipped": N_("Shipped"),
        "received": N_("Received"),
        "cancelled": N_("Cancelled"),
    },
    "stock.err": {
        "quantity": N_("Enter a whole number of units, from 1 to 100000."),
        "change": N_("Enter a whole number of units, up or down, not zero."),
        "reason": N_("Say why the stock is adjusted (3 to 2000 characters), for example: count found 2 fewer."),
        "warehouse": N_("Choose a warehouse."),
        "from_warehouse": N_("Choose where the parts come from."),
        "to_warehouse": N_("Choose where the parts go."),
        "sku": N_("Enter the part's SKU."),
        "purchase_order": N_("Enter a purchase order number such as PO-000012, or leave it empty."),
        "min_quantity": N_("Enter the minimum as a whole number, 0 or more."),
        "max_quantity": N_("Enter the maximum as a whole number, at least the minimum."),
        "reorder_multiple": N_("Order in multiples of at least 1."),
        "no_warehouse": N_("No warehouse %(code)s."),
        "no_part": N_("No part with SKU %(sku)s."),
        "no_rule": N_("There is no rule for %(sku)s at %(warehouse)s."),
    },
    "stock.flash.transfer": {
        "requested": N_("Transfer %(number)s requested; the units are held at the source."),
        "ship": N_("Transfer %(number)s shipped."),
        "receive": N_("Transfer %(number)s received."),
        "cancel": N_("Transfer %(number)s cancelled; the held units are free again."),
    },
}


def label(group: str, value, default: str | None = None, **values) -> str:
    """The text of `value` in `group`, translated; `default` (or the value itself) when there is none."""
    message = LABELS.get(group, {}).get(str(value))
    if message is None:
        return default if default is not None else str(value)
    return gettext(message, **values)


def has_label(group: str, value) -> bool:
    return str(value) in LABELS.get(group, {})
