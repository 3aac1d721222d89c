"""One shape for every kind of set-up record on the API: a list (search, pages) and create at
/admin/<kind>, get and update (PATCH: only the fields sent) at /admin/<kind>/<natural key>. The kinds
differ only in their schemas, lookups and services, so the routes are made here once."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import marshmallow as ma
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import Select

from api.auth import require_api_roles
from api.context import now
from api.database import db
from api.paging import SelectPage
from api.setup import schemas
from api.setup.common import API_PAGE_SIZE, api_refusals, found
from api.setup.schemas import SearchSchema
from core.users import Role


@dataclass(frozen=True)
class Kind:
    path: str  # "product-models"
    key: str  # the natural key's field: "code", "sku", "serial"
    key_length: int
    title: str  # "product model", for the OpenAPI summaries
    schema: type[ma.Schema]
    out_schema: type[ma.Schema]
    readers: tuple[Role, ...]
    writers: tuple[Role, ...]
    query: Callable[..., Select]  # query(search=...) -> select()
    lookup: Callable  # lookup(session, key) -> record, or SetupNotFound
    create: Callable  # create(session, *, <key>=..., actor, now, **values) -> record
    update: Callable  # update(session, record, *, actor, now, **changes) -> record


def register(blp: Blueprint, kind: Kind) -> None:
    key_rule = f"<string(maxlength={kind.key_length}):key>"
    update = schemas.update_schema(kind.schema, (kind.key,))

    class Collection(MethodView):
        @require_api_roles(*kind.readers)
        @blp.arguments(SearchSchema, location="query")
        @blp.response(200, kind.out_schema(many=True))
        @blp.paginate(SelectPage, max_page_size=API_PAGE_SIZE)
        def get(self, query: dict):
            return kind.query(search=query.get("q"))

        @require_api_roles(*kind.writers)
        @blp.arguments(kind.schema)
        @blp.response(201, kind.out_schema)
        def post(self, data: dict):
            with api_refusals():
                return kind.create(db(), actor=g.api_user.username, now=now(), **data)

    class Resource(MethodView):
        @require_api_roles(*kind.readers)
        @blp.response(200, kind.out_schema)
        def get(self, key: str):
            return found(kind.lookup, key)

        @require_api_roles(*kind.writers)
        @blp.arguments(update)
        @blp.response(200, kind.out_schema)
        def patch(self, data: dict, key: str):
            record = found(kind.lookup, key)
            with api_refusals():
                return kind.update(db(), record, actor=g.api_user.username, now=now(), **data)

    Collection.get.__doc__ = f"{kind.title.capitalize()}s: search with q, in pages"
    Collection.post.__doc__ = f"Create a {kind.title}"
    Resource.get.__doc__ = f"One {kind.title}"
    Resource.patch.__doc__ = f"Change a {kind.title}: only the fields sent change"
    Collection.__name__ = f"{kind.path.title().replace('-', '')}Collection"
    Resource.__name__ = f"{kind.path.title().replace('-', '')}Resource"
    blp.route(f"/admin/{kind.path}", endpoint=f"{kind.path}_list")(Collection)
    blp.route(f"/admin/{kind.path}/{key_rule}", endpoint=f"{kind.path}_one")(Resource)
