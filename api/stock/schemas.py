"""Request and response shapes of the stock API (the warehouse pages validate their forms with the same)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from api.schemas import Integer, TrimmedString
from dispatch.parts.services import MAX_UNITS_PER_PART
from inventory.ledger import MAX_QUANTITY
from inventory.models import JobPartState, MovementKind, OrderStatus, WarehouseKind

WAREHOUSE = validate.Length(min=1, max=32)
SKU = validate.Length(min=1, max=40)
REASON = validate.Length(max=2000)


def quantity(*, maximum: int = MAX_QUANTITY, **kwargs) -> fields.Integer:
    """Whole units only: strict refuses 1.5, "2" and true rather than rounding or casting them."""
    return Integer(strict=True, validate=validate.Range(min=1, max=maximum,
                                                        error=f"Must be a whole number from 1 to {maximum}."),
                   **kwargs)


# --- queries ---

class StockQuerySchema(ma.Schema):
    warehouse = TrimmedString(validate=WAREHOUSE)
    sku = TrimmedString(validate=SKU)
    low = fields.Boolean(load_default=False)


class MovementQuerySchema(ma.Schema):
    warehouse = TrimmedString(validate=WAREHOUSE)
    sku = TrimmedString(validate=SKU)


class OrderQuerySchema(ma.Schema):
    status = fields.List(fields.Enum(OrderStatus, by_value=True), validate=validate.Length(max=len(OrderStatus)))
    warehouse = TrimmedString(validate=WAREHOUSE)


class RuleQuerySchema(ma.Schema):
    warehouse = TrimmedString(validate=WAREHOUSE)


# --- writes ---

class ReceiptSchema(ma.Schema):
    warehouse = TrimmedString(required=True, validate=WAREHOUSE)
    sku = TrimmedString(required=True, validate=SKU)
    quantity = quantity(required=True)
    purchase_order = TrimmedString(load_default=None, validate=validate.Length(min=1, max=20))
    reason = TrimmedString(load_default="", validate=REASON)


class AdjustmentSchema(ma.Schema):
    warehouse = TrimmedString(required=True, validate=WAREHOUSE)
    sku = TrimmedString(required=True, validate=SKU)
    change = Integer(required=True, strict=True,
                            validate=validate.Range(min=-MAX_QUANTITY, max=MAX_QUANTITY,
                                                    error=f"Must be a whole number from -{MAX_QUANTITY} to "
                                                          f"{MAX_QUANTITY}, not zero."))
    reason = TrimmedString(required=True, validate=validate.Length(
        min=3, max=2000, error="Say why the stock is adjusted (3 to 2000 characters)."))

    @validates_schema
    def _not_zero(self, data, **kwargs):
        if data.get("change") == 0:
            raise ma.ValidationError("The change must be a whole number of units, not zero.", "change")


class TransferCreateSchema(ma.Schema):
    sku = TrimmedString(required=True, validate=SKU)
    quantity = quantity(required=True)
    from_warehouse = TrimmedString(required=True, validate=WAREHOUSE)
    to_warehouse = TrimmedString(required=True, validate=WAREHOUSE)
    reason = TrimmedString(load_default="", validate=REASON)


class ReceiveSchema(ma.Schema):
    """What arrived; leave the quantity out when everything shipped arrived."""

    quantity = quantity(load_default=None)


class PurchaseOrderCreateSchema(ma.Schema):
    sku = TrimmedString(required=True, validate=SKU)
    quantity = quantity(required=True)
    warehouse = TrimmedString(required=True, validate=WAREHOUSE)
    supplier = TrimmedString(load_default=None, validate=validate.Length(min=1, max=32))
    expedited = fields.Boolean(load_default=False)
    reason = TrimmedString(load_default="", validate=REASON)


class ApprovalDeclineSchema(ma.Schema):
    reason = TrimmedString(load_default="", validate=REASON)


class PurchaseOrderShipSchema(ma.Schema):
    expected_at = fields.AwareDateTime(load_default=None)


class RestockRuleInSchema(ma.Schema):
    min_quantity = Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_QUANTITY))
    max_quantity = Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_QUANTITY))
    reorder_multiple = Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=MAX_QUANTITY))
    auto_create = fields.Boolean(load_default=True)

    @validates_schema
    def _max_not_below_min(self, data, **kwargs):
        if data.get("max_quantity") is not None and data.get("min_quantity") is not None \
                and data["max_quantity"] < data["min_quantity"]:
            raise ma.ValidationError("The maximum must be at least the minimum.", "max_quantity")


class JobPartRequestSchema(ma.Schema):
    sku = TrimmedString(required=True, validate=SKU)
    quantity = quantity(required=True, maximum=MAX_UNITS_PER_PART)  # what one repair can need


# --- answers ---

class StockLevelSchema(ma.Schema):
    warehouse = fields.String(attribute="warehouse.code")
    warehouse_name = fields.String(attribute="warehouse.name")
    warehouse_kind = fields.Enum(WarehouseKind, by_value=True, attribute="warehouse.kind")
    sku = fields.String(attribute="part.sku")
    part_name = fields.String(attribute="part.name")
    on_hand = Integer()
    reserved = Integer()
    available = Integer()
    faulty = Integer()
    min_quantity = Integer(allow_none=True)
    max_quantity = Integer(allow_none=True)
    low = fields.Boolean()


class PartStockSchema(ma.Schema):
    sku = fields.String(attribute="part.sku")
    name = fields.String(attribute="part.name")
    total_on_hand = fields.Function(lambda view: sum(row.on_hand for row in view["levels"]))
    total_available = fields.Function(lambda view: sum(row.available for row in view["levels"]))
    levels = fields.List(fields.Nested(StockLevelSchema))


class MovementSchema(ma.Schema):
    id = Integer()
    at = fields.DateTime(attribute="created_at")
    warehouse = fields.String(attribute="warehouse.code")
    sku = fields.String(attribute="part.sku")
    kind = fields.Enum(MovementKind, by_value=True)
    quantity = Integer()
    on_hand_delta = Integer()
    reserved_delta = Integer()
    faulty_delta = Integer()
    reason = fields.String()
    actor = fields.String()
    transfer = fields.Function(lambda m: f"TR-{m.transfer_id:06d}" if m.transfer_id else None)
    purchase_order = fields.Function(lambda m: f"PO-{m.purchase_order_id:06d}" if m.purchase_order_id else None)


class OrderLifecycleSchema(ma.Schema):
    """The columns transfers and purchase orders share (inventory.models.OrderLifecycle)."""
    status = fields.Enum(OrderStatus, by_value=True)
    emergency = fields.Boolean()
    reason = fields.String()
    expected_at = fields.DateTime(allow_none=True)
    requested_at = fields.DateTime()
    shipped_at = fields.DateTime(allow_none=True)
    received_at = fields.DateTime(allow_none=True)
    received_quantity = Integer()


class TransferSchema(OrderLifecycleSchema):
    number = fields.String()
    sku = fields.String(attribute="part.sku")
    quantity = Integer()
    from_warehouse = fields.String(attribute="from_warehouse.code")
    to_warehouse = fields.String(attribute="to_warehouse.code")


class PurchaseOrderSchema(OrderLifecycleSchema):
    number = fields.String()
    supplier = fields.String(attribute="supplier.code")
    sku = fields.String(attribute="part.sku")
    quantity = Integer()
    warehouse = fields.String(attribute="warehouse.code")
    expedited = fields.Boolean()
    unit_cost = fields.Decimal(as_string=True)
    total_cost = fields.Decimal(as_string=True)
    approved_by = fields.String(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    declined_by = fields.String(allow_none=True)
    declined_at = fields.DateTime(allow_none=True)


class ReceiptResultSchema(ma.Schema):
    movement = fields.Nested(MovementSchema)
    purchase_order = fields.Nested(PurchaseOrderSchema, allow_none=True)
    job_lines_reserved = Integer()


class RestockRuleSchema(ma.Schema):
    warehouse = fields.String(attribute="warehouse.code")
    sku = fields.String(attribute="part.sku")
    min_quantity = Integer()
    max_quantity = Integer()
    reorder_multiple = Integer()
    auto_create = fields.Boolean()


class ProposalSchema(ma.Schema):
    warehouse = fields.String(attribute="rule.warehouse.code")
    sku = fields.String(attribute="rule.part.sku")
    position = Integer()
    quantity = Integer()
    source = fields.String()
    source_warehouse = fields.Function(lambda p: p.source_warehouse.code if p.source_warehouse else None)
    auto_create = fields.Boolean(attribute="rule.auto_create")
    description = fields.Function(lambda p: p.describe())


class RestockSummarySchema(ma.Schema):
    summary = fields.Function(str)
    proposals = fields.List(fields.Nested(ProposalSchema))
    created = fields.List(fields.String())
    skipped = fields.List(fields.String())


class EmergencyOrderSchema(ma.Schema):
    kind = fields.String()
    number = fields.String(attribute="order.number")
    job = fields.Function(lambda e: e.job.number if e.job else None)
    repair_by = fields.Function(lambda e: e.job.repair_by.isoformat() if e.job else None)
    sku = fields.String(attribute="order.part.sku")
    part_name = fields.String(attribute="order.part.name")
    quantity = Integer(attribute="order.quantity")
    source = fields.String()
    destination = fields.String(attribute="destination.code")
    status = fields.Enum(OrderStatus, by_value=True, attribute="order.status")
    expected_at = fields.DateTime(attribute="order.expected_at", allow_none=True)
    late = fields.Boolean()
    reason = fields.String(attribute="order.reason")


class PartsEscalationSchema(ma.Schema):
    id = Integer()
    job = fields.String(attribute="job.number")
    kind = fields.String()
    reason = fields.String()
    raised_at = fields.DateTime()


class EmergencyQueueSchema(ma.Schema):
    orders = fields.List(fields.Nested(EmergencyOrderSchema))
    escalations = fields.List(fields.Nested(PartsEscalationSchema))


class JobPartSchema(ma.Schema):
    id = Integer()
    sku = fields.String(attribute="part.sku")
    part_name = fields.String(attribute="part.name")
    quantity = Integer()
    state = fields.Enum(JobPartState, by_value=True)
    warehouse = fields.Function(lambda line: line.warehouse.code if line.warehouse else None)
    transfer = fields.Function(lambda line: line.transfer.number if line.transfer else None)
    purchase_order = fields.Function(lambda line: line.purchase_order.number if line.purchase_order else None)
    expected_at = fields.DateTime(allow_none=True)
    note = fields.String()


class JobPartOutcomeSchema(ma.Schema):
    line = fields.Nested(JobPartSchema)
    summary = fields.String()
    escalated = fields.Boolean()
    emergency_reason = fields.Function(lambda o: o.emergency.reason if o.emergency else None)
    keeps_deadline = fields.Function(lambda o: o.emergency.keeps_deadline if o.emergency else None)
