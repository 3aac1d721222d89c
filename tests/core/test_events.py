"""Domain events: subscribers are called in order with the publisher's session, and every process the
product runs (the web app, the worker) has both reactions to a job's status change subscribed."""
from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

import pytest

from core.events import publish, subscribe, subscribers


@dataclass(frozen=True)
class Happened:
    what: str


def test_subscribers_hear_each_event_once_in_the_order_they_subscribed():
    heard = []

    def first(session, event):
        heard.append(("first", session, event.what))

    def second(session, event):
        heard.append(("second", session, event.what))

    subscribe(Happened, first)
    subscribe(Happened, second)
    subscribe(Happened, first)  # subscribing again changes nothing
    publish("the session", Happened("x"))
    assert heard == [("first", "the session", "x"), ("second", "the session", "x")]


@pytest.mark.parametrize("entry_point", ["api.app", "cli.worker", "demo.world"])
def test_every_process_subscribes_parts_and_care_to_the_job_events(entry_point):
    code = (f"import {entry_point}\n"
            "from core.events import subscribers\n"
            "from dispatch.jobs.events import JobsPlaced, JobReported, JobStatusChanged, JobUnassignable\n"
            "for event in (JobStatusChanged, JobReported, JobsPlaced, JobUnassignable):\n"
            "    print(sorted(h.__module__ for h in subscribers(event)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[:4] == ["['care.customer_messages', 'care.subscriptions', 'dispatch.parts.subscriptions']",
                                   "['care.customer_messages']", "['care.customer_messages']",
                                   "['care.customer_messages']"]


def test_the_subscribers_of_this_process_are_the_same():
    import api.app  # noqa: F401
    from dispatch.jobs.events import JobReported, JobsPlaced, JobStatusChanged, JobUnassignable

    assert sorted(h.__name__ for h in subscribers(JobStatusChanged)) == [
        "release_parts_of_finished_job", "start_callbacks_of_completed_job", "tell_status"]
    assert [h.__name__ for h in subscribers(JobReported)] == ["tell_report_received"]
    assert [h.__name__ for h in subscribers(JobsPlaced)] == ["tell_plan"]
    assert [h.__name__ for h in subscribers(JobUnassignable)] == ["tell_unplanned"]
