"""Every refusal in one place: domain outcomes and HTTP errors mapped to one JSON shape on the API
and to a readable page elsewhere.

JSON shape: {"code": 422, "status": "Unprocessable Entity", "message": "...",
             "errors": {"json": {"field": ["message", ...]}}}
"""
from __future__ import annotations

import logging
import time

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound

from api.extensions import limiter
from api.i18n import babel_locale
from api.labels import label
from care.dashboard import InvalidPeriod
from care.sla_watch import AlreadyPaused, JobNotOpen, NotPaused
from care.surveys import InvalidAnswer, SurveyAlreadyAnswered, SurveyNotFound
from care.tasks import NotYourTask, TaskAlreadyDone, TaskNotFound
from core import i18n as core_i18n
from core.storage import StorageError, StoredFileMissing
from dispatch.intake.errors import AssetNotFound, ProofRefused
from dispatch.jobs.errors import CannotOwn, ClockChangeRefused, JobNotFound, OverrideNeeded
from dispatch.jobs.escalations import EscalationNotFound
from dispatch.jobs.response import NotAHumanResponse
from dispatch.jobs.status import InvalidTransition
from dispatch.parts.desk import OrderNotFound
from dispatch.planning.windows import WindowNotOffered, WindowsClosed
from inventory.ledger import InsufficientStock, StockError
from inventory.orders import OrderStateError

log = logging.getLogger(__name__)
# Pages customers reach without signing in (a label, a tracking link, a survey): their error pages give
# the number to call.
CUSTOMER_PAGES = ("/r/", "/t/", "/s/", "/messages/opt-out/")


class ApiError(HTTPException):
    """An HTTP error that carries the message and field errors of the one JSON shape."""

    def __init__(self, code: int, message: str, errors: dict | None = None):
        super().__init__(description=message)
        self.code = code
        self.data = {"message": message, **({"errors": errors} if errors else {})}


def field_error(code: int, field: str, message: str, location: str = "json") -> ApiError:
    return ApiError(code, message, {location: {field: [message]}})


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


def _payload(error: HTTPException) -> dict:
    payload = {"code": error.code, "status": error.name}
    data = getattr(error, "data", None) or {}
    payload["message"] = data.get("message") or error.description
    errors = data.get("errors") or data.get("messages")
    if errors:
        payload["errors"] = errors
        if error.code == 422 and not data.get("message"):
            fields = sorted({name for location in errors.values() if isinstance(location, dict) for name in location})
            payload["message"] = _("Some fields are not valid: %(fields)s.", fields=", ".join(fields)) if fields else payload["message"]
    return payload


def respond(error: HTTPException):
    """The refusal in the one JSON shape on the API, as a readable page elsewhere."""
    payload = _payload(error)
    headers = (getattr(error, "data", None) or {}).get("headers", {})
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers = {**headers, "Allow": ", ".join(error.valid_methods)}
    if _is_api_request():
        return payload, error.code, headers
    # A refusal before the request's own hooks ran (the input guard) has no page language yet.
    core_i18n.set_locale(babel_locale())
    return render_template("error.html", code=error.code, title=label("error", f"{error.code}.title", default=error.name),
                           message=label("error", f"{error.code}.message", default=payload["message"]),
                           for_customer=request.path.startswith(CUSTOMER_PAGES)), error.code, headers


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        return respond(error)

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(error: RateLimitExceeded):
        # The limit's own headers are not sent on every response (each costs reads of the shared
        # counter); a refused client is still told when it may try again.
        refused = ApiError(429, error.description)
        current = limiter.current_limit
        if current is not None:
            refused.data["headers"] = {"Retry-After": str(max(1, int(current.reset_at - time.time())))}
        return respond(refused)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return respond(ApiError(400, _("This form has expired. Please go back, reload the page and send it again.")))

    @app.errorhandler(JobNotFound)
    def _job_not_found(error: JobNotFound):
        return respond(ApiError(404, str(error)))

    @app.errorhandler(ProofRefused)
    def _proof_refused(error: ProofRefused):
        return respond(field_error(422, error.field, str(error)))

    @app.errorhandler(AssetNotFound)
    def _asset_not_found(error: AssetNotFound):
        return respond(NotFound(str(error)))

    @app.errorhandler(InvalidTransition)
    def _invalid_transition(error: InvalidTransition):
        return respond(field_error(409, "to", str(error)))

    @app.errorhandler(OverrideNeeded)
    def _override_needed(error: OverrideNeeded):
        return respond(field_error(403, error.field, str(error)))

    @app.errorhandler(CannotOwn)
    def _cannot_own(error: CannotOwn):
        return respond(field_error(422, "to_user", str(error)))

    @app.errorhandler(StockError)
    def _stock_refused(error: StockError):
        # Not enough stock, or an order in the wrong state, is a conflict with what is there now;
        # anything else is input that can never work.
        code = 409 if isinstance(error, (InsufficientStock, OrderStateError)) else 422
        return respond(field_error(code, error.field, str(error)))

    @app.errorhandler(OrderNotFound)
    def _order_not_found(error: OrderNotFound):
        return respond(ApiError(404, str(error)))

    @app.errorhandler(StorageError)
    def _storage_failed(error: StorageError):
        # The disk or bucket behind the photos failed: the error status rolls the request's rows back, and
        # a photo written before the failure was taken back by its writer, so nothing is half written.
        if isinstance(error, StoredFileMissing):
            return respond(NotFound())
        log.error("file storage failed on %s %s: %s", request.method, request.path, error)
        unavailable = ApiError(503, _("The photo storage cannot be reached just now; nothing was changed. "
                                      "Please try again in a moment."))
        unavailable.data["headers"] = {"Retry-After": "30"}
        return respond(unavailable)

    _register_care(app)
    _register_clocks(app)
    _register_windows(app)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return respond(InternalServerError())


def _register_clocks(app: Flask) -> None:
    """SLA clocks and escalations: contacts, priority changes, acknowledging and resolving."""

    @app.errorhandler(ClockChangeRefused)
    def _clock_change_refused(error: ClockChangeRefused):
        return respond(field_error(error.code, error.field, str(error)))

    @app.errorhandler(EscalationNotFound)
    def _escalation_not_found(error: EscalationNotFound):
        return respond(ApiError(404, str(error)))

    @app.errorhandler(NotAHumanResponse)
    def _not_a_human_response(error: NotAHumanResponse):
        return respond(ApiError(403, str(error)))


def _register_care(app: Flask) -> None:
    """Close-the-loop outcomes: surveys, tasks, SLA pauses, dashboard periods."""
    refusals = {SurveyNotFound: 404, TaskNotFound: 404, SurveyAlreadyAnswered: 409, TaskAlreadyDone: 409,
                AlreadyPaused: 409, NotPaused: 409, JobNotOpen: 409, NotYourTask: 403}
    for exception, code in refusals.items():
        app.register_error_handler(exception, lambda error, code=code: respond(ApiError(code, str(error))))

    @app.errorhandler(InvalidAnswer)
    def _invalid_answer(error: InvalidAnswer):
        return respond(field_error(422, error.field, str(error)))

    @app.errorhandler(InvalidPeriod)
    def _invalid_period(error: InvalidPeriod):
        return respond(field_error(422, error.field, str(error), location="query"))


def _register_windows(app: Flask) -> None:
    """Appointment windows: one no longer offered, or a job past choosing one."""

    @app.errorhandler(WindowNotOffered)
    def _window_not_offered(error: WindowNotOffered):
        return respond(field_error(409, "start", str(error)))

    @app.errorhandler(WindowsClosed)
    def _windows_closed(error: WindowsClosed):
        return respond(ApiError(409, str(error)))
