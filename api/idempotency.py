"""Idempotency-Key handling for create endpoints: a retry gets the first answer, never a second job.

The key row is inserted (and flushed) before any work, so a concurrent duplicate waits on the
unique index until the first request commits, then replays its stored answer.
"""
from __future__ import annotations

import hashlib
from functools import wraps

from flask import current_app, g, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.context import now
from api.database import db
from api.errors import ApiError, field_error
from core.idempotency import IdempotentRequest

HEADER = "Idempotency-Key"


def _fingerprint() -> str:
    digest = hashlib.sha256(request.method.encode() + request.path.encode())
    if request.mimetype == "multipart/form-data":
        # The input guard has parsed the form, so the raw body is gone: its fields and files say the same.
        for name, value in sorted(request.form.items(multi=True)):
            digest.update(f"{len(name)}:{name}={len(value)}:{value}".encode())
        for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
            digest.update(f"{len(name)}:{name}=".encode() + hashlib.sha256(upload.stream.read()).digest())
            upload.stream.seek(0)
    else:
        digest.update(request.get_data())
    return digest.hexdigest()


def _scope_of_caller(scope: str) -> str:
    """Keys are the caller's own: a signed-in caller's by user, an anonymous one's by address, so that
    nobody replays (or blocks) another client's request by sending the same key."""
    user = g.get("api_user")
    if user is not None:
        return f"{scope}:user:{user.id}"
    return f"{scope}:address:{request.remote_addr or 'unknown'}"[:120]


def _replay(stored: IdempotentRequest, fingerprint: str):
    if stored.fingerprint != fingerprint:
        raise field_error(422, HEADER, "This Idempotency-Key was already used for a different request.",
                          location="headers")
    return stored.response, stored.status_code, {"Idempotent-Replayed": "true"}


def idempotent(scope: str):
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            key = request.headers.get(HEADER)
            if key is None:
                return view(*args, **kwargs)
            if not 1 <= len(key) <= 200 or not key.isprintable():
                raise field_error(422, HEADER, "Idempotency-Key must be 1 to 200 printable characters.",
                                  location="headers")
            full_scope = _scope_of_caller(scope)
            session, fingerprint = db(), _fingerprint()
            lookup = select(IdempotentRequest).where(IdempotentRequest.scope == full_scope,
                                                     IdempotentRequest.key == key)
            if (stored := session.scalar(lookup)) is not None:
                return _replay(stored, fingerprint)
            claim = IdempotentRequest(scope=full_scope, key=key, fingerprint=fingerprint, status_code=0,
                                      response={}, created_at=now())
            try:
                with session.begin_nested():
                    session.add(claim)
                    session.flush()
            except IntegrityError:
                stored = session.scalar(lookup.execution_options(populate_existing=True))
                if stored is None or stored.status_code == 0:
                    raise ApiError(409, "A request with this Idempotency-Key is still in progress; retry.")
                return _replay(stored, fingerprint)

            response = current_app.make_response(view(*args, **kwargs))
            # Errors roll the whole transaction back, claim included, so a corrected retry runs anew.
            if response.status_code < 400:
                claim.status_code = response.status_code
                claim.response = response.get_json()
                session.flush()
            return response

        return wrapper

    return decorator
