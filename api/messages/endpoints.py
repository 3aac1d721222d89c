"""What was sent to a job's customer, for the office staff who talk to them."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import require_api_roles
from api.database import db
from api.messages.schemas import CustomerMessageSchema
from care.outbox import messages_of_job
from core.users import CASE_ROLES
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
