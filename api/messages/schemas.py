"""Shapes of the messages feature: a message to a job's customer as staff read it."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.schemas import Integer
from care.models import DeliveryState
from care.outbox import CUSTOMER_CHANNELS
from core.i18n import LOCALES


class CustomerMessageSchema(ma.Schema):
    id = Integer(metadata={"description": "The outbox message id (the webhook-id / Message-ID it is sent under)"})
    channel = fields.String(metadata={"description": "How it reaches the customer: email, sms or wechat"})
    purpose = fields.String(metadata={"description": "The step it tells of: report_received, technician_assigned, "
                                                     "visit_moved, technician_on_the_way, waiting_for_part, "
                                                     "job_completed, survey, ..."})
    recipient = fields.String(metadata={"description": "The e-mail address, or the gateway and phone number"})
    subject = fields.String()
    state = fields.Enum(DeliveryState, by_value=True,
                        metadata={"description": "pending (waiting or held), sending, sent, failed, undeliverable, "
                                                 "superseded (held, then replaced by newer news before it left)"})
    attempts = Integer()
    last_error = fields.String(metadata={"description": "Why the last attempt failed (empty when none did)"})
    created_at = fields.DateTime(metadata={"description": "When it was written, with the change that caused it"})
    not_before = fields.DateTime(allow_none=True,
                                 metadata={"description": "Held until then: the customer's quiet hours"})
    sent_at = fields.DateTime(allow_none=True)


class MessagePreferencesSchema(ma.Schema):
    locale = fields.String(allow_none=True, required=True, validate=validate.OneOf(LOCALES),
                           metadata={"description": "The language of the messages (null: both English and Chinese)"})
    channel = fields.String(allow_none=True, required=True, validate=validate.OneOf(CUSTOMER_CHANNELS),
                            metadata={"description": "email, sms or wechat (null: e-mail when known, else SMS)"})
    opted_out = fields.Boolean(required=True,
                               metadata={"description": "Only the messages about the visit itself reach them"})
    has_email = fields.Boolean(dump_only=True)
