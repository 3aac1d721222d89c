"""Staff look-up of registered appliances, by serial or by the owner's phone number."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from api.assets.schemas import AssetQuerySchema, StaffAssetSchema
from api.auth import require_api_roles
from api.context import now, services
from api.database import db
from api.presenters import asset_view
from core.users import CASE_ROLES
from dispatch.catalog.services import find_assets
from dispatch.intake.services import warranty_verdict

blp = Blueprint("api_assets", __name__, url_prefix="/api/v1/assets", description="Registered appliances")


@blp.route("")
class Assets(MethodView):
    @require_api_roles(*CASE_ROLES)
    @blp.arguments(AssetQuerySchema, location="query")
    @blp.response(200, StaffAssetSchema(many=True))
    def get(self, query: dict):
        """Find appliances by serial number or by the registered owner's phone number"""
        assets = find_assets(db(), serial=query.get("serial"), phone=query.get("phone"))
        return [asset_view(a, warranty_verdict(a, now=now(), tz=services().tz)) for a in assets]
