"""What the set-up API and pages share: who is acting, refusals turned into the one error shape, and
paging a query."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Select, func, select

from api.database import db
from api.errors import ApiError
from core.setup_refusals import AlreadyExists, SetupNotFound, SetupRefused
from inventory.ledger import StockError

API_PAGE_SIZE = 100  # the largest page a client may ask for


def count(query: Select) -> int:
    return db().scalar(select(func.count()).select_from(query.order_by(None).subquery()))




@contextmanager
def api_refusals() -> Iterator[None]:
    """A set-up refusal as a 4xx with the field at fault: 409 for a duplicate, 404 for a record named
    in the address that is not there, 422 for anything else."""
    try:
        yield
    except AlreadyExists as error:
        raise ApiError(409, str(error), {"json": {error.field: [str(error)]}}) from None
    except (SetupRefused, StockError) as error:
        raise ApiError(422, str(error), {"json": {error.field: [str(error)]}}) from None
    except SetupNotFound as error:
        raise ApiError(404, str(error)) from None


def found(lookup, *args):
    """A record named in the address, or a 404."""
    try:
        return lookup(db(), *args)
    except SetupNotFound as error:
        raise ApiError(404, str(error)) from None
