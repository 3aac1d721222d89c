"""One database session per request; the request commits once at the end or rolls back.

Services flush; nothing below this layer commits. A response with an error status rolls back, so a
refused request never leaves half-written data behind.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, current_app, g, jsonify, request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from core.db import sqlite_begin_mode

log = logging.getLogger(__name__)


def db() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions["aftercare"].session_factory()
    return g.db_session


READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def write_despite_refusal(change: Callable[[Session], None]) -> None:
    """A refused request rolls back everything it did; some refusals must still leave a mark (e.g.
    a plan found stale). Undo the request's work, make only `change`, and commit it now."""
    session = db()
    session.rollback()
    change(session)
    session.commit()


def init_app(app: Flask) -> None:
    @app.before_request
    def _choose_sqlite_begin_mode():
        g.begin_mode_scope = sqlite_begin_mode("DEFERRED" if request.method in READ_ONLY_METHODS else "IMMEDIATE")
        g.begin_mode_scope.__enter__()

    @app.after_request
    def _commit_or_roll_back(response):
        session: Session | None = g.pop("db_session", None)
        if session is None:
            return response
        try:
            if response.status_code < 400:
                session.commit()
            else:
                session.rollback()
        except DBAPIError:
            # A conflict found only at commit (e.g. a serialisation failure): nothing was written,
            # and the client may safely retry.
            log.exception("commit failed")
            session.rollback()
            response = jsonify(code=409, status="Conflict",
                               message="The change conflicted with another one and was not saved; retry.")
            response.status_code = 409
        finally:
            session.close()
        return response

    @app.teardown_appcontext
    def _close(_exc):
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()
        scope = g.pop("begin_mode_scope", None)
        if scope is not None:
            scope.__exit__(None, None, None)
