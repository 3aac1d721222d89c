"""What was sent to a job's customer, for the office staff who talk to them."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import require_api_roles
from api.context import now
from api.database import db
from api.errors import field_error
from api.messages.schemas import CustomerMessageSchema, MessagePreferencesSchema
from care.outbox import messages_of_job
from care.preferences import MessagePreferences, PreferenceRefused, set_message_preferences
from core.users import CASE_ROLES
from dispatch.jobs.audit import Actor
from dispatch.jobs.services import get_job

blp = Blueprint("api_messages", __name__, url_prefix="/api/v1/jobs", description="Messages to customers")

NUMBER = "<string(maxlength=20):number>"


@blp.route(f"/{NUMBER}/messages")
class JobMessages(MethodView):
    @require_api_roles(*CASE_ROLES)
    @blp.response(200, CustomerMessageSchema(many=True))
    @blp.alt_response(404, description="No job has this number")
    def get(self, number: str):
        """Every message to the job's customer, oldest first, with its channel, purpose, state and times"""
        return messages_of_job(db(), get_job(db(), number).id)


@blp.route(f"/{NUMBER}/message-preferences")
class JobMessagePreferences(MethodView):
    @require_api_roles(*CASE_ROLES)
    @blp.response(200, MessagePreferencesSchema)
    @blp.alt_response(404, description="No job has this number")
    def get(self, number: str):
        """How the job's customer is told: their language, channel, and whether they opted out of updates"""
        return MessagePreferences.of(get_job(db(), number).customer)

    @require_api_roles(*CASE_ROLES)
    @blp.arguments(MessagePreferencesSchema)
    @blp.response(200, MessagePreferencesSchema)
    @blp.alt_response(404, description="No job has this number")
    def put(self, data: dict, number: str):
        """Set the customer's message language, channel and opt-out (as they asked on the phone; audited on the job)"""
        job = get_job(db(), number, for_update=True)
        try:
            return set_message_preferences(db(), job=job, locale=data["locale"], channel=data["channel"],
                                           opted_out=data["opted_out"], actor=Actor.staff(g.api_user), now=now())
        except PreferenceRefused as refused:
            raise field_error(422, refused.field, str(refused)) from None
