"""The catalogue's administration API: product models with their bill of parts, warranty (三包) and
SLA policies, and registered appliances."""
from __future__ import annotations

from flask_smorest import Blueprint

from api.setup import schemas
from api.setup.resources import Kind, register
from api.setup.roles import CATALOGUE_READERS, CATALOGUE_WRITERS
from dispatch.catalog import setup as catalog
from dispatch.jobs import sla_setup

blp = Blueprint("api_setup_catalog", __name__, url_prefix="/api/v1",
                description="Administration: product models, warranty and SLA policies, appliances")


def _create_asset(session, *, serial, **values):
    return catalog.register_asset(session, serial=serial, **values)


KINDS = [
    Kind("product-models", "code", 40, "product model", schemas.ProductModelInSchema, schemas.ProductModelOutSchema,
         CATALOGUE_READERS, CATALOGUE_WRITERS, catalog.product_models_query, catalog.product_model_named,
         catalog.create_product_model, catalog.update_product_model),
    Kind("warranty-policies", "code", 40, "warranty policy", schemas.WarrantyPolicyInSchema,
         schemas.WarrantyPolicyOutSchema, CATALOGUE_READERS, CATALOGUE_WRITERS, catalog.warranty_policies_query,
         catalog.warranty_policy_named, catalog.create_warranty_policy, catalog.update_warranty_policy),
    Kind("sla-policies", "code", 40, "SLA policy", schemas.SlaPolicyInSchema, schemas.SlaPolicyOutSchema,
         CATALOGUE_READERS, CATALOGUE_WRITERS, sla_setup.sla_policies_query, sla_setup.sla_policy_named,
         sla_setup.create_sla_policy, sla_setup.update_sla_policy),
    Kind("assets", "serial", 64, "registered appliance", schemas.AssetInSchema, schemas.AssetOutSchema,
         CATALOGUE_READERS, CATALOGUE_WRITERS, catalog.assets_query, catalog.asset_with_serial,
         _create_asset, catalog.update_asset),
]
for _kind in KINDS:
    register(blp, _kind)
