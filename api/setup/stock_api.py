"""The stock set-up's administration API: warehouses, parts, suppliers and restock rules."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import require_api_roles
from api.context import now
from api.database import db
from api.paging import SelectPage
from api.setup import schemas
from api.setup.common import API_PAGE_SIZE, api_refusals, found
from api.setup.resources import Kind, register
from api.setup.roles import STOCK_SETUP_READERS, STOCK_SETUP_WRITERS, WAREHOUSE_READERS, WAREHOUSE_WRITERS
from inventory import setup as stock_setup

blp = Blueprint("api_setup_stock", __name__, url_prefix="/api/v1",
                description="Administration: warehouses, parts, suppliers, restock rules")


KINDS = [
    Kind("warehouses", "code", 32, "warehouse", schemas.WarehouseInSchema, schemas.WarehouseOutSchema,
         WAREHOUSE_READERS, WAREHOUSE_WRITERS, stock_setup.warehouses_query, stock_setup.warehouse_named,
         stock_setup.create_warehouse, stock_setup.update_warehouse),
    Kind("parts", "sku", 40, "part", schemas.PartInSchema, schemas.PartOutSchema, STOCK_SETUP_READERS,
         STOCK_SETUP_WRITERS, stock_setup.parts_query, stock_setup.part_with_sku, stock_setup.create_part,
         stock_setup.update_part),
    Kind("suppliers", "code", 32, "supplier", schemas.SupplierInSchema, schemas.SupplierOutSchema,
         STOCK_SETUP_READERS, STOCK_SETUP_WRITERS, stock_setup.suppliers_query,
         stock_setup.supplier_named, stock_setup.create_supplier, stock_setup.update_supplier),
]
for _kind in KINDS:
    register(blp, _kind)

RULE_KEY = "<string(maxlength=32):warehouse>/<string(maxlength=40):sku>"


@blp.route("/admin/restock-rules")
class RestockRules(MethodView):
    @require_api_roles(*STOCK_SETUP_READERS)
    @blp.arguments(schemas.SearchSchema, location="query")
    @blp.response(200, schemas.RestockRuleOutSchema(many=True))
    @blp.paginate(SelectPage, max_page_size=API_PAGE_SIZE)
    def get(self, query: dict):
        """Restock rules by warehouse and part: search with q, in pages"""
        return stock_setup.restock_rules_query(search=query.get("q"))

    @require_api_roles(*STOCK_SETUP_WRITERS)
    @blp.arguments(schemas.RestockRuleSetupSchema)
    @blp.response(201, schemas.RestockRuleOutSchema)
    def post(self, data: dict):
        """Create the rule for a warehouse and part (or change it, if there is one)"""
        with api_refusals():
            rule, _created = stock_setup.save_restock_rule(db(), actor=g.api_user.username, now=now(), **data)
        return rule


@blp.route(f"/admin/restock-rules/{RULE_KEY}")
class RestockRule(MethodView):
    @require_api_roles(*STOCK_SETUP_READERS)
    @blp.response(200, schemas.RestockRuleOutSchema)
    def get(self, warehouse: str, sku: str):
        """One restock rule"""
        return found(lambda session: stock_setup.restock_rule_for(session, warehouse=warehouse, sku=sku))

    @require_api_roles(*STOCK_SETUP_WRITERS)
    @blp.arguments(schemas.update_schema(schemas.RestockRuleSetupSchema, ("warehouse", "sku")))
    @blp.response(200, schemas.RestockRuleOutSchema)
    def patch(self, data: dict, warehouse: str, sku: str):
        """Change a restock rule: only the fields sent change"""
        rule = found(lambda session: stock_setup.restock_rule_for(session, warehouse=warehouse, sku=sku))
        values = {name: getattr(rule, name) for name in stock_setup.RULE_FIELDS} | data
        with api_refusals():
            rule, _created = stock_setup.save_restock_rule(db(), warehouse=warehouse, sku=sku,
                                                           actor=g.api_user.username, now=now(), **values)
        return rule
