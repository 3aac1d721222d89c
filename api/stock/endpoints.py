"""Spare-parts stock: levels, the ledger, receipts and adjustments, transfers, purchase orders, restock
rules, the emergency queue, and the parts a job needs."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint, Page
from sqlalchemy import select

from api.auth import require_api_roles
from api.context import now, purchase_approval_limit
from api.database import db
from api.errors import ApiError
from api.idempotency import idempotent
from api.paging import SelectPage
from api.stock.schemas import (
    AdjustmentSchema,
    ApprovalDeclineSchema,
    EmergencyQueueSchema,
    JobPartOutcomeSchema,
    JobPartRequestSchema,
    JobPartSchema,
    MovementQuerySchema,
    MovementSchema,
    OrderQuerySchema,
    PartStockSchema,
    PurchaseOrderCreateSchema,
    PurchaseOrderSchema,
    PurchaseOrderShipSchema,
    ReceiptResultSchema,
    ReceiptSchema,
    ReceiveSchema,
    RestockRuleInSchema,
    RestockRuleSchema,
    RestockSummarySchema,
    RuleQuerySchema,
    StockLevelSchema,
    StockQuerySchema,
    TransferCreateSchema,
    TransferSchema,
)
from core.users import Role
from dispatch.jobs.audit import Actor
from dispatch.jobs.errors import JobNotFound
from dispatch.jobs.services import get_job
from dispatch.parts import desk
from dispatch.parts import read as parts_queue
from dispatch.parts import services as job_parts
from inventory import overview, restock
from inventory.ledger import StockError
from inventory.models import RestockRule

blp = Blueprint("api_stock", __name__, url_prefix="/api/v1", description="Spare-parts stock")

STOCK_WRITERS = (Role.WAREHOUSE, Role.MANAGER)
STOCK_READERS = STOCK_WRITERS + (Role.DISPATCHER, Role.AGENT, Role.TECHNICIAN)
JOB_PART_WRITERS = (Role.AGENT, Role.DISPATCHER, Role.TECHNICIAN)
JOB_PART_READERS = JOB_PART_WRITERS + (Role.MANAGER, Role.WAREHOUSE)
PURCHASE_APPROVERS = (Role.MANAGER, Role.ADMIN)
NUMBER = "<string(maxlength=20):number>"
CODE = "<string(maxlength=32):warehouse>"
SKU = "<string(maxlength=40):sku>"


def _actor() -> Actor:
    return Actor.staff(g.api_user)


def _query_lookup(lookup, value: str | None, field: str):
    """A warehouse or part named in the query string, or None when not given."""
    if value is None:
        return None
    try:
        return lookup(db(), value, field=field)
    except StockError as error:
        raise ApiError(422, str(error), {"query": {field: [str(error)]}}) from None


class StockPage(Page):
    """Pages the stock overview query; rows carry the level and the rule side by side."""

    @property
    def item_count(self) -> int:
        return overview.count_rows(db(), self.collection)

    @property
    def items(self):
        return overview.stock_rows(db(), self.collection.offset(self.page_params.first_item)
                                   .limit(self.page_params.page_size))




# --- levels and the ledger ---

@blp.route("/stock/levels")
class StockLevels(MethodView):
    @require_api_roles(*STOCK_READERS)
    @blp.arguments(StockQuerySchema, location="query")
    @blp.response(200, StockLevelSchema(many=True))
    @blp.paginate(StockPage, max_page_size=500)
    def get(self, query: dict):
        """Stock by warehouse and part with each restock rule's min/max; low=true lists only what is
        below its rule's minimum (available = on hand − reserved)"""
        warehouse = _query_lookup(desk.warehouse_named, query.get("warehouse"), "warehouse")
        part = _query_lookup(desk.part_named, query.get("sku"), "sku")
        return overview.stock_query(warehouse_id=warehouse.id if warehouse else None,
                                    part_id=part.id if part else None, low_only=query["low"])


@blp.route(f"/parts/{SKU}/stock")
class PartStock(MethodView):
    @require_api_roles(*STOCK_READERS)
    @blp.response(200, PartStockSchema)
    def get(self, sku: str):
        """One part's levels in every warehouse that holds it or has a rule for it"""
        try:
            part = desk.part_named(db(), sku)
        except StockError as error:
            raise ApiError(404, str(error)) from None
        return {"part": part, "levels": overview.stock_rows(db(), overview.stock_query(part_id=part.id))}


@blp.route("/stock/movements")
class StockMovements(MethodView):
    @require_api_roles(*STOCK_READERS)
    @blp.arguments(MovementQuerySchema, location="query")
    @blp.response(200, MovementSchema(many=True))
    @blp.paginate(SelectPage, max_page_size=500)
    def get(self, query: dict):
        """The stock ledger, newest first, for a warehouse and/or a part"""
        warehouse = _query_lookup(desk.warehouse_named, query.get("warehouse"), "warehouse")
        part = _query_lookup(desk.part_named, query.get("sku"), "sku")
        return overview.movements_query(warehouse_id=warehouse.id if warehouse else None,
                                        part_id=part.id if part else None)


@blp.route("/stock/receipts")
class Receipts(MethodView):
    @require_api_roles(*STOCK_WRITERS)
    @idempotent("stock-receipt")
    @blp.arguments(ReceiptSchema)
    @blp.response(201, ReceiptResultSchema)
    def post(self, data: dict):
        """Goods received at a warehouse; with a purchase order number that order is received, and a job
        it was placed for gets its part reserved"""
        return desk.receive_goods(db(), warehouse_code=data["warehouse"], sku=data["sku"],
                                  quantity=data["quantity"], purchase_order_number=data["purchase_order"],
                                  reason=data["reason"], actor=_actor(), now=now())


@blp.route("/stock/adjustments")
class Adjustments(MethodView):
    @require_api_roles(*STOCK_WRITERS)
    @idempotent("stock-adjustment")
    @blp.arguments(AdjustmentSchema)
    @blp.response(201, MovementSchema)
    def post(self, data: dict):
        """Correct a count up (positive change) or down (negative), always with the reason"""
        return desk.adjust_stock(db(), warehouse_code=data["warehouse"], sku=data["sku"], change=data["change"],
                                 reason=data["reason"], actor=_actor(), now=now())


# --- transfers ---

@blp.route("/transfers")
class Transfers(MethodView):
    @require_api_roles(*STOCK_READERS)
    @blp.arguments(OrderQuerySchema, location="query")
    @blp.response(200, TransferSchema(many=True))
    @blp.paginate(SelectPage, max_page_size=200)
    def get(self, query: dict):
        """Transfers, newest first, by status and/or a warehouse at either end"""
        warehouse = _query_lookup(desk.warehouse_named, query.get("warehouse"), "warehouse")
        return overview.transfers_query(status=query.get("status"), warehouse_id=warehouse.id if warehouse else None)

    @require_api_roles(*STOCK_WRITERS)
    @idempotent("transfer")
    @blp.arguments(TransferCreateSchema)
    @blp.response(201, TransferSchema)
    def post(self, data: dict):
        """Request a transfer: the units are held at the source until it ships"""
        return desk.create_transfer(db(), sku=data["sku"], quantity=data["quantity"], from_code=data["from_warehouse"],
                                    to_code=data["to_warehouse"], reason=data["reason"], actor=_actor(), now=now())


@blp.route(f"/transfers/{NUMBER}")
class TransferResource(MethodView):
    @require_api_roles(*STOCK_READERS)
    @blp.response(200, TransferSchema)
    def get(self, number: str):
        """One transfer"""
        return desk.transfer_numbered(db(), number)


@blp.route(f"/transfers/{NUMBER}/ship")
class TransferShip(MethodView):
    @require_api_roles(*STOCK_WRITERS)
    @blp.response(200, TransferSchema)
    @blp.alt_response(409, description="The transfer is not waiting to ship")
    def post(self, number: str):
        """The transfer leaves the source warehouse"""
        return desk.ship_transfer(db(), number=number, actor=_actor(), now=now())


@blp.route(f"/transfers/{NUMBER}/receive")
class TransferReceive(MethodView):
    @require_api_roles(*STOCK_WRITERS)
    @blp.arguments(ReceiveSchema)
    @blp.response(200, TransferSchema)
    @blp.alt_response(409, description="The transfer has not shipped, or was already received")
    def post(self, data: dict, number: str):
        """The transfer arrived (fewer than shipped is recorded as short; more is refused)"""
        return desk.receive_transfer(db(), number=number, quantity=data["quantity"], actor=_actor(), now=now())


@blp.route(f"/transfers/{NUMBER}/cancel")
class TransferCancel(MethodView):
    @require_api_roles(*STOCK_WRITERS)
    @blp.response(200, TransferSchema)
    @blp.alt_response(409, description="The transfer has already shipped")
    def post(self, number: str):
        """Cancel a transfer that has not shipped; the held units are free again"""
        return desk.cancel_transfer(db(), number=number, actor=_actor(), now=now(),
                                    approval_limit=purchase_approval_limit())


# --- purchase orders ---

@blp.route("/purchase-orders")
class PurchaseOrders(MethodView):
    @require_api_roles(*STOCK_READERS)
    @blp.arguments(OrderQuerySchema, location="query")
    @blp.response(200, PurchaseOrderSchema(many=True))
    @blp.paginate(SelectPage, max_page_size=200)
    def get(self, query: dict):
        """Purchase orders, newest first, by status and/or the receiving warehouse"""
        warehouse = _query_lookup(desk.warehouse_named, query.get("warehouse"), "warehouse")
        return overview.purchase_orders_query(status=query.get("status"),
                                              warehouse_id=warehouse.id if warehouse else None)

    @require_api_roles(*STOCK_WRITERS)
    @idempotent("purchase-order")
    @blp.arguments(PurchaseOrderCreateSchema)
    @blp.response(201, PurchaseOrderSchema)
    def post(self, data: dict):
        """Order parts from a supplier (the cheapest one unless a supplier is named); above the approval
        limit the order is created pending_approval and is not placed until a manager approves it"""
        return desk.create_purchase_order(db(), sku=data["sku"], quantity=data["quantity"],
                                          warehouse_code=data["warehouse"], supplier_code=data["supplier"],
                                          expedited=data["expedited"], reason=data["reason"], now=now(),
                                          approval_limit=purchase_approval_limit())


@blp.route(f"/purchase-orders/{NUMBER}")
class PurchaseOrderResource(MethodView):
    @require_api_roles(*STOCK_READERS)
    @blp.response(200, PurchaseOrderSchema)
    def get(self, number: str):
        """One purchase order"""
        return desk.purchase_order_numbered(db(), number)


@blp.route(f"/purchase-orders/{NUMBER}/ship")
class PurchaseOrderShip(MethodView):
    @require_api_roles(*STOCK_WRITERS)
    @blp.arguments(PurchaseOrderShipSchema)
    @blp.response(200, PurchaseOrderSchema)
    def post(self, data: dict, number: str):
        """The supplier dispatched the goods (optionally with a new expected arrival)"""
        return desk.ship_purchase_order(db(), number=number, now=now(), expected_at=data["expected_at"])


@blp.route(f"/purchase-orders/{NUMBER}/receive")
class PurchaseOrderReceive(MethodView):
    @require_api_roles(*STOCK_WRITERS)
    @blp.arguments(ReceiveSchema)
    @blp.response(200, PurchaseOrderSchema)
    def post(self, data: dict, number: str):
        """The goods arrived; a job the order was placed for gets its part reserved"""
        return desk.receive_purchase_order(db(), number=number, quantity=data["quantity"], actor=_actor(),
                                           now=now())


@blp.route(f"/purchase-orders/{NUMBER}/cancel")
class PurchaseOrderCancel(MethodView):
    @require_api_roles(*STOCK_WRITERS)
    @blp.response(200, PurchaseOrderSchema)
    def post(self, number: str):
        """Cancel an order that has not been received; a job waiting for it gets the part sourced again
        (or is escalated when nothing can bring it)"""
        return desk.cancel_purchase_order(db(), number=number, actor=_actor(), now=now(),
                                          approval_limit=purchase_approval_limit())


@blp.route(f"/purchase-orders/{NUMBER}/approve")
class PurchaseOrderApprove(MethodView):
    @require_api_roles(*PURCHASE_APPROVERS)
    @blp.response(200, PurchaseOrderSchema)
    @blp.alt_response(409, description="The order is not waiting for approval")
    def post(self, number: str):
        """A manager approves an order above the approval limit: it is placed now (who and when are kept)"""
        return desk.approve_purchase_order(db(), number=number, actor=_actor(), now=now())


@blp.route(f"/purchase-orders/{NUMBER}/decline")
class PurchaseOrderDecline(MethodView):
    @require_api_roles(*PURCHASE_APPROVERS)
    @blp.arguments(ApprovalDeclineSchema)
    @blp.response(200, PurchaseOrderSchema)
    @blp.alt_response(409, description="The order is not waiting for approval")
    def post(self, data: dict, number: str):
        """A manager declines an order above the approval limit: it is cancelled unplaced, and a job it was
        for gets the part sourced again (or is escalated)"""
        return desk.decline_purchase_order(db(), number=number, actor=_actor(), now=now(), reason=data["reason"],
                                           approval_limit=purchase_approval_limit())


# --- restock rules ---

@blp.route("/restock-rules")
class RestockRules(MethodView):
    @require_api_roles(*STOCK_READERS)
    @blp.arguments(RuleQuerySchema, location="query")
    @blp.response(200, RestockRuleSchema(many=True))
    def get(self, query: dict):
        """Min/max rules, by warehouse and part"""
        warehouse = _query_lookup(desk.warehouse_named, query.get("warehouse"), "warehouse")
        rules = select(RestockRule).order_by(RestockRule.warehouse_id, RestockRule.part_id)
        if warehouse is not None:
            rules = rules.where(RestockRule.warehouse_id == warehouse.id)
        return list(db().scalars(rules))


@blp.route(f"/restock-rules/{CODE}/{SKU}")
class RestockRuleResource(MethodView):
    @require_api_roles(*STOCK_WRITERS)
    @blp.arguments(RestockRuleInSchema)
    @blp.response(200, RestockRuleSchema)
    def put(self, data: dict, warehouse: str, sku: str):
        """Create or change the rule keeping this part between min and max at this warehouse"""
        try:
            desk.warehouse_named(db(), warehouse), desk.part_named(db(), sku)
        except StockError as error:
            raise ApiError(404, str(error)) from None
        return desk.save_rule(db(), warehouse_code=warehouse, sku=sku, actor=_actor(), now=now(), **data)

    @require_api_roles(*STOCK_WRITERS)
    @blp.response(204)
    def delete(self, warehouse: str, sku: str):
        """Remove the rule (stock is no longer replenished automatically)"""
        try:
            deleted = desk.delete_rule(db(), warehouse_code=warehouse, sku=sku, actor=_actor(), now=now())
        except StockError as error:
            raise ApiError(404, str(error)) from None
        if not deleted:
            raise ApiError(404, f"No restock rule for {sku} at {warehouse}.")


@blp.route("/restock/runs")
class RestockRuns(MethodView):
    @require_api_roles(*STOCK_WRITERS)
    @blp.response(200, RestockSummarySchema)
    def post(self):
        """Run the min/max replenishment now: what fell below minimum, and the orders created"""
        return restock.run_restock(db(), now=now(), actor=g.api_user.username, approval_limit=purchase_approval_limit())


@blp.route("/stock/emergencies")
class Emergencies(MethodView):
    @require_api_roles(*STOCK_READERS)
    @blp.response(200, EmergencyQueueSchema)
    def get(self):
        """Open emergency transfers and purchase orders with their job, soonest first, and the open
        "parts late" escalations"""
        return parts_queue.emergency_queue(db())


# --- parts for jobs ---

def _job_for(number: str, *, for_update: bool = False):
    job = get_job(db(), number, for_update=for_update)
    user = g.api_user
    if user.role == Role.TECHNICIAN and (job.technician is None or job.technician.user_id != user.id):
        # Another technician's job answers exactly like one that does not exist: numbers cannot be probed.
        raise JobNotFound(number)
    return job


@blp.route(f"/jobs/{NUMBER}/parts")
class JobParts(MethodView):
    @require_api_roles(*JOB_PART_READERS)
    @blp.response(200, JobPartSchema(many=True))
    def get(self, number: str):
        """The parts the job needs and where each stands: reserved, on its way, fitted or given back"""
        return job_parts.parts_for_job(db(), _job_for(number))

    @require_api_roles(*JOB_PART_WRITERS)
    @idempotent("job-part")
    @blp.arguments(JobPartRequestSchema)
    @blp.response(201, JobPartOutcomeSchema)
    def post(self, data: dict, number: str):
        """Need a part: reserved from the technician's van or the nearest serving warehouse, else ordered
        by the fastest way that keeps the repair deadline (escalated when none does)"""
        job = _job_for(number, for_update=True)
        part = desk.part_named(db(), data["sku"])
        return job_parts.request_part(db(), job=job, part=part, quantity=data["quantity"], actor=_actor(), now=now(),
                                      approval_limit=purchase_approval_limit())
