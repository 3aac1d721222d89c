"""Paid repairs over the API: a job's quote (written by an agent or the job's technician, decided by an
agent who took the customer's answer on the phone), the customer's own decision by their tracking token,
and the labour price list of the set-up."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound

from api.auth import require_api_roles
from api.context import now
from api.database import db
from api.errors import ApiError
from api.field.endpoints import _me, _my_job
from api.presenters import job_by_tracking_token
from api.quotes.common import parts_by_sku, quote_refusals
from api.quotes.schemas import QuoteInSchema, QuoteOutSchema
from api.setup.price_schemas import LabourPriceInSchema, LabourPriceOutSchema
from api.setup.resources import Kind, register
from api.setup.roles import CATALOGUE_READERS, CATALOGUE_WRITERS
from core.users import CASE_ROLES, Role
from dispatch.jobs.audit import CUSTOMER, Actor
from dispatch.jobs.services import get_job
from dispatch.quotes import prices
from dispatch.quotes.services import approve_quote, decline_quote, give_quote, quote_of

blp = Blueprint("api_quotes", __name__, url_prefix="/api/v1",
                description="Paid repairs: the labour price list, quotes and the customer's decision")

NUMBER = "<string(maxlength=20):number>"
TOKEN = "<string(maxlength=64):token>"
DECISION = "<string(maxlength=10):decision>"  # approve or decline
DECISIONS = {"approve": approve_quote, "decline": decline_quote}


def _decision(name: str):
    if name not in DECISIONS:
        raise ApiError(404, "Decide with approve or decline.")
    return DECISIONS[name]


def _quote_or_404(job):
    quote = quote_of(db(), job)
    if quote is None:
        raise ApiError(404, f"Job {job.number} has no quote.")
    return quote


@blp.route(f"/jobs/{NUMBER}/quote")
class JobQuote(MethodView):
    @require_api_roles(*CASE_ROLES)
    @blp.response(200, QuoteOutSchema)
    def get(self, number: str):
        """A job's quote: parts at customer price, labour, the call-out fee, and the customer's decision"""
        return _quote_or_404(get_job(db(), number))

    @require_api_roles(*CASE_ROLES)
    @blp.arguments(QuoteInSchema)
    @blp.response(200, QuoteOutSchema)
    def put(self, data: dict, number: str):
        """Write the quote of a paid repair (again, while the customer has not decided): parts from the
        appliance's bill of materials by SKU; labour and the call-out fee come from the price list"""
        job = get_job(db(), number, for_update=True)
        with quote_refusals():
            return give_quote(db(), job=job, parts=parts_by_sku(data["parts"]), actor=Actor.staff(g.api_user),
                              now=now())


@blp.route(f"/jobs/{NUMBER}/quote/{DECISION}")
class JobQuoteDecision(MethodView):
    @require_api_roles(*CASE_ROLES)
    @blp.response(200, QuoteOutSchema)
    @blp.alt_response(409, description="Already decided, or no quote")
    def post(self, number: str, decision: str):
        """Record the customer's answer taken on the phone: approve (the work may start) or decline (the job
        ends; after a visit the call-out fee is owed)"""
        decide = _decision(decision)
        job = get_job(db(), number, for_update=True)
        with quote_refusals():
            return decide(db(), job=job, actor=Actor.staff(g.api_user), now=now())


@blp.route(f"/track/{TOKEN}/quote")
class TrackedQuote(MethodView):
    @blp.response(200, QuoteOutSchema)
    def get(self, token: str):
        """The quote of the job behind a tracking link"""
        return _quote_or_404(_tracked_job(token))


@blp.route(f"/track/{TOKEN}/quote/{DECISION}")
class TrackedQuoteDecision(MethodView):
    @blp.response(200, QuoteOutSchema)
    @blp.alt_response(409, description="Already decided, or no quote")
    def post(self, token: str, decision: str):
        """The customer approves or declines their quote, by the unguessable token of their tracking link"""
        decide = _decision(decision)
        job = _tracked_job(token, for_update=True)
        with quote_refusals():
            return decide(db(), job=job, actor=CUSTOMER, now=now())


@blp.route(f"/technicians/me/jobs/{NUMBER}/quote")
class MyJobQuote(MethodView):
    @require_api_roles(Role.TECHNICIAN)
    @blp.arguments(QuoteInSchema)
    @blp.response(200, QuoteOutSchema)
    def put(self, data: dict, number: str):
        """The technician writes the quote after the diagnosis: parts from the appliance's bill of materials"""
        technician = _me()
        job = _my_job(technician, number, for_update=True)
        with quote_refusals():
            return give_quote(db(), job=job, parts=parts_by_sku(data["parts"]), actor=Actor.staff(technician.user),
                              now=now())


def _tracked_job(token: str, *, for_update: bool = False):
    job = job_by_tracking_token(db(), token)
    if job is None:
        raise NotFound("No request is known under this tracking link.")
    return get_job(db(), job.number, for_update=True) if for_update else job


register(blp, Kind("labour-prices", "code", 40, "labour price", LabourPriceInSchema, LabourPriceOutSchema,
                   CATALOGUE_READERS, CATALOGUE_WRITERS, prices.labour_prices_query, prices.labour_price_named,
                   prices.create_labour_price, prices.update_labour_price))
