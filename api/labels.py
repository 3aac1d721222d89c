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
    # The agent's phone report form: the same rules as the customer's, in words for staff.
    "phone.err": {
        "fault_text": N_("Describe the fault in 5 to 2000 characters."),
        "contact_name": N_("Give the contact's name (up to 120 characters)."),
        "contact_phone": N_("Give a phone number to call back (digits, +, spaces or dashes)."),
        "address": N_("The address is too long (at most 255 characters)."),
        "channel": N_("Choose how the report came in."),
    },
    "entitlement": {
        "refund": N_("Refund"),
        "exchange": N_("Exchange"),
        "free_repair": N_("Free repair"),
        "paid_repair": N_("Paid repair"),
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
        "window_confirmed": N_("Visit window confirmed"),
    },
    # The office's names for a job's history: staff see every kind, the customer only a few (above).
    "office.event": {
        "created": N_("Job opened"),
        "status_changed": N_("Status changed"),
        "report_attached": N_("Further report added"),
        "reclassified": N_("Category corrected"),
        "ownership_changed": N_("Ownership changed"),
        "planned": N_("Planned"),
        "replanned": N_("Re-planned"),
        "locked": N_("Locked to technician"),
        "unlocked": N_("Unlocked"),
        "escalated": N_("Escalated"),
        "survey_answered": N_("Survey answered"),
        "sla_warning": N_("SLA warning"),
        "sla_breach": N_("SLA breach"),
        "sla_paused": N_("SLA clocks paused"),
        "sla_resumed": N_("SLA clocks resumed"),
        "parts": N_("Parts"),
        "accepted": N_("Accepted by technician"),
        "photo_added": N_("Photo added"),
        "contacted": N_("Customer contacted"),
        "priority_changed": N_("Priority changed"),
        "escalation_acknowledged": N_("Escalation acknowledged"),
        "escalation_resolved": N_("Escalation resolved"),
        "quote_given": N_("Quote given"),
        "quote_approved": N_("Quote approved"),
        "quote_declined": N_("Quote declined"),
        "completion_recorded": N_("Completion recorded"),
        "proof_accepted": N_("Proof of purchase accepted"),
        "proof_refused": N_("Proof of purchase refused"),
    },
    # Who took a job's photo and of what (fieldwork.models.PhotoKind), in the job's history.
    "photo_kind": {
        "field": N_("by the technician"),
        "fault": N_("the fault"),
        "receipt": N_("the purchase receipt"),
    },
    # An agent's review of a receipt the customer sent (fieldwork.models.ReceiptReview).
    "receipt_review": {
        "accepted": N_("Receipt accepted"),
        "refused": N_("Receipt refused"),
        "window_confirmed": N_("Appointment window confirmed"),
    },
    # The office's short names for a job's status (the customer reads the longer "status" above).
    "office.status": {
        "reported": N_("Reported"),
        "triaged": N_("Triaged"),
        "assigned": N_("Assigned"),
        "en_route": N_("En route"),
        "on_site": N_("On site"),
        "waiting_parts": N_("Waiting for parts"),
        "completed": N_("Completed"),
        "closed": N_("Closed"),
        "remote_resolved": N_("Resolved remotely"),
        "cancelled": N_("Cancelled"),
    },
    # Why a job is on the dispatcher's at-risk list (dispatch.jobs.read), followed by the deadline.
    "risk": {
        "response overdue since": N_("response overdue since"),
        "respond by": N_("respond by"),
        "repair overdue since": N_("repair overdue since"),
        "repair by": N_("repair by"),
        "planned to finish after the repair deadline": N_("planned to finish after the repair deadline"),
    },
    # The skills of the demo and of the example world; a skill an admin adds is shown as its code.
    "skill": {
        "refrigeration": N_("Refrigeration"),
        "hvac": N_("Air conditioning"),
        "laundry": N_("Laundry"),
        "water_heating": N_("Water heating"),
        "kitchen": N_("Kitchen appliances"),
        "electronics": N_("Electronics"),
    },
    # The kinds of warehouse (inventory.models.WarehouseKind).
    "warehouse_kind": {
        "central": N_("Central warehouse"),
        "regional": N_("Regional warehouse"),
        "van": N_("Van"),
    },
    "trend.title": {
        "day": N_("Promises kept per day"),
        "week": N_("Promises kept per week"),
    },
    "category": {
        "quality_defect": N_("Quality defect"),
        "usage_question": N_("Usage question"),
        "return_exchange": N_("Return or exchange"),
        "installation": N_("Installation"),
    },
    "category_source": {
        "classifier": N_("automatic"),
        "agent": N_("set by an agent"),
    },
    "priority": {
        "urgent": N_("Urgent"),
        "high": N_("High"),
        "normal": N_("Normal"),
        "low": N_("Low priority"),
    },
    "channel": {
        "qr": N_("QR label"),
        "app": N_("App"),
        "phone": N_("Phone"),
        "wechat": N_("WeChat"),
        "walk-in": N_("Walk-in"),
    },
    "dispatch_state": {
        "pending": N_("Waiting for the dispatcher engine"),
        "planned": N_("Planned"),
        "unassignable": N_("Nobody qualified in time"),
        "not_needed": N_("No visit needed"),
    },
    # What the routing solver says of the plan it found (dispatch.routing.result.RoutingResult.status).
    "solver_status": {
        "optimal": N_("Best possible"),
        "feasible": N_("Good plan found"),
        "no_solution": N_("No plan found"),
        "empty": N_("Nothing to plan"),
        "invalid": N_("Problem not valid"),
    },
    "plan_status": {
        "queued": N_("Queued"),
        "running": N_("Solving"),
        "done": N_("Done"),
        "applied": N_("Applied"),
        "failed": N_("Failed"),
        "stale": N_("Out of date"),
    },
    "escalation": {
        "unassignable": N_("No technician"),
        "parts_late": N_("Parts late"),
        "sla_warning": N_("SLA warning"),
        "sla_breach": N_("SLA breach"),
    },
    "escalation.state": {
        "active": N_("Not yet resolved"),
        "open": N_("Open: nobody on it yet"),
        "acknowledged": N_("Acknowledged"),
        "resolved": N_("Resolved"),
        "all": N_("All escalations"),
    },
    # How the first person answered the customer (what stopped the response clock).
    "response_kind": {
        "contact": N_("Contact recorded"),
        "accepted": N_("Technician accepted"),
        "window_confirmed": N_("Appointment window confirmed"),  # by the customer, or an agent for them
        "resolved_remotely": N_("Solved remotely"),
        "cancelled": N_("Cancelled"),
    },
    "contact_channel": {
        "phone": N_("Phone call"),
        "sms": N_("SMS"),
        "wechat": N_("WeChat"),
        "email": N_("E-mail"),
        "in_person": N_("In person"),
    },
    "sla.clock": {
        "response": N_("Response"),
        "resolution": N_("Repair"),
    },
    "sla.alert": {
        "warning": N_("warning"),
        "breach": N_("breach"),
    },
    "sla.cause": {
        "no_technician": N_("No technician"),
        "no_response": N_("No response"),
        "waiting_for_parts": N_("Waiting for parts"),
        "late_arrival": N_("Late arrival"),
        "repair_overran": N_("Repair overran"),
        "not_resolved": N_("Not resolved"),
    },
    "task.kind": {
        "phone_callback": N_("Phone callback"),
        "case_reopened": N_("Case reopened"),
        "supervisor_call": N_("Supervisor call"),
        "supervisor_review": N_("Supervisor review"),
        "check_in": N_("Check-in call"),
    },
    "task.outcome": {
        "resolved": N_("Resolved"),
        "follow_up": N_("Follow-up arranged"),
        "no_answer": N_("No answer"),
        "wrong_number": N_("Wrong number"),
    },
    "actor": {
        "customer": N_("the customer"),
        "system": N_("the system"),
        "scheduler": N_("the scheduler"),
        "sla-watch": N_("the SLA watch"),
        "restock": N_("automatic restock"),
        "cli": N_("the command line"),
        "cli:init": N_("the command line"),
        "cli:import": N_("an import"),
    },
    "error": {
        "404.title": N_("Not found"),
        "404.message": N_("We could not find this page. If you scanned a label, please check the code or call our service line."),
        "429.title": N_("Too many requests"),
        "429.message": N_("Please wait a minute and try again."),
        "400.title": N_("Something was wrong with the request"),
        "422.title": N_("Something you entered cannot be accepted"),
        "403.title": N_("Not allowed"),
        "403.message": N_("Your account cannot open this page."),
        "500.title": N_("Something went wrong"),
        "500.message": N_("Nothing was saved. Please try again in a moment."),
        "csrf": N_("This form has expired. Please go back, reload the page and send it again."),
        "413.title": N_("Too large"),
        "413.message": N_("The file is too large; nothing was saved."),
        "503.title": N_("Temporarily unavailable"),
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
        "purchase_orders": N_("Purchase orders"),
        "rules": N_("Restock rules"),
        "emergencies": N_("Emergency queue"),
        "ledger": N_("Stock ledger"),
    },
    # What a line of the stock ledger did (inventory.models.MovementKind).
    "stock.movement": {
        "receipt": N_("Received"),
        "transfer_out": N_("Shipped out"),
        "transfer_in": N_("Transfer in"),
        "reservation": N_("Reserved"),
        "release": N_("Released"),
        "consumption": N_("Fitted"),
        "adjustment": N_("Adjustment"),
        "faulty_return": N_("Faulty part returned"),
    },
    "stock.kind": {
        "transfer": N_("Transfer"),
        "purchase_order": N_("Purchase order"),
    },
    "stock.order": {
        "pending_approval": N_("Waiting for approval"),
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
        "supplier": N_("Choose a supplier, or leave it empty for the cheapest."),
        "confirm": N_("Tick the box to confirm the cancellation."),
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
    "stock.flash.purchase_order": {
        "requested": N_("Purchase order %(number)s placed with %(supplier)s."),
        "pending_approval": N_("Purchase order %(number)s created; it waits for a manager's approval before it is placed."),
        "ship": N_("Purchase order %(number)s marked as shipped by the supplier."),
        "receive": N_("Purchase order %(number)s received; the units are in stock."),
        "cancel": N_("Purchase order %(number)s cancelled."),
        "approve": N_("Purchase order %(number)s approved and placed."),
        "decline": N_("Purchase order %(number)s declined."),
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


# The group of each stored code's enum, so `{{ code|human }}` names it in the page's language.
ENUM_GROUPS = {"JobStatus": "office.status", "JobCategory": "category", "Priority": "priority",
               "EntitlementKind": "entitlement", "Channel": "channel", "DispatchState": "dispatch_state",
               "EventKind": "office.event", "PlanStatus": "plan_status", "TaskKind": "task.kind",
               "TaskOutcome": "task.outcome", "SlaClock": "sla.clock", "AlertKind": "sla.alert",
               "Role": "role", "OrderStatus": "stock.order", "EscalationState": "escalation.state",
               "ResponseKind": "response_kind", "ContactChannel": "contact_channel", "WarehouseKind": "warehouse_kind",
               "ReceiptReview": "receipt_review"}


def human(code, group: str | None = None) -> str:
    """A stored code as staff read it, in the page's language: `group` names the labels, or the
    code's enum does; a code with no label is shown tidied ('remote_resolved' → 'Remote resolved')."""
    if code is None:
        return "—"
    group = group or ENUM_GROUPS.get(type(code).__name__)
    value = getattr(code, "value", code)
    if group and has_label(group, value):
        return label(group, value)
    return str(value).replace("_", " ").capitalize()


def actor(stored: str | None) -> str:
    """Who did something, as stored on an event or a stock movement: the automatic actors read in the
    page's language; a person's name is shown as stored."""
    if not stored:
        return "—"
    return label("actor", stored) if has_label("actor", stored) else stored


def skills(technician) -> str:
    """A technician's skills as staff read them: "Refrigeration, Laundry"."""
    return ", ".join(label("skill", s.skill) for s in technician.skills)
