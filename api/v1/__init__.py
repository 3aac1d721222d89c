"""JSON API version 1; every blueprint here is registered under /api/v1."""
from api.v1 import assets, auth_tokens, care, dispatch, field, jobs, public, stock

BLUEPRINTS = [auth_tokens.blp, public.blp, assets.blp, jobs.blp, dispatch.blp, stock.blp, care.blp, field.blp]
