"""Bookkeeping rows go once they have done their job, and nothing else goes with them."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from cli.retention import prune
from core.db import make_session_factory
from core.idempotency import IdempotentRequest
from core.sign_in import SignInFailure
from core.work_queue import WorkItem, enqueue
from tests.conftest import NOW


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_finished_work_old_keys_and_old_failures_go_and_the_rest_stays(engine, session):
    old, recent = NOW - timedelta(days=40), NOW - timedelta(hours=1)
    done_long_ago = enqueue(session, kind="x", payload={}, now=old)
    done_long_ago.done_at = old
    still_due = enqueue(session, kind="x", payload={}, now=old)  # never done: kept however old
    enqueue(session, kind="x", payload={}, now=recent).done_at = recent
    for created in (old, recent):
        session.add(IdempotentRequest(scope="reports", key=f"k{created.day}", fingerprint="f", status_code=201,
                                      response={}, created_at=created))
        session.add(SignInFailure(at=created, username="li", address="127.0.0.1"))
    session.commit()
    gone_id, kept_id = done_long_ago.id, still_due.id

    removed = prune(make_session_factory(engine), now=NOW, batch=1)

    assert removed == {"work_items": 1, "idempotent_requests": 1, "field_updates": 0, "rate_limit_counters": 0,
                       "sign_in_failures": 1}
    session.expire_all()
    assert _count(session, WorkItem) == 2 and session.get(WorkItem, kept_id) is not None
    assert session.get(WorkItem, gone_id) is None
    assert _count(session, IdempotentRequest) == 1 and _count(session, SignInFailure) == 1


def test_the_command_reports_what_it_removed(engine, database_url, monkeypatch):
    from click.testing import CliRunner

    from cli.commands import main

    monkeypatch.setenv("AFTERCARE_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["db", "prune"], env={"LANG": "C"})
    assert result.exit_code == 0, result.output
    assert "work_items: removed 0" in result.output and "idempotent_requests: removed 0" in result.output
