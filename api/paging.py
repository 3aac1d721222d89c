"""flask-smorest paging of a SQLAlchemy select() of ORM objects: counts once, fetches only the slice."""
from __future__ import annotations

from flask_smorest import Page
from sqlalchemy import func, select

from api.database import db


class SelectPage(Page):
    @property
    def item_count(self) -> int:
        return db().scalar(select(func.count()).select_from(self.collection.order_by(None).subquery()))

    @property
    def items(self):
        return list(db().scalars(self.collection.offset(self.page_params.first_item)
                                 .limit(self.page_params.page_size)))
