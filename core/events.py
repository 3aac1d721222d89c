"""Domain events: a package says what happened, and the packages that must react subscribe to it,
so that the dependency points one way (the publisher never imports its subscribers).

Handlers run at once, in the publisher's session and transaction: a change that is rolled back
takes its reactions with it.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

Handler = Callable[[Session, Any], None]

_handlers: dict[type, list[Handler]] = defaultdict(list)


def subscribe(event_type: type, handler: Handler) -> None:
    """Call `handler(session, event)` for every published event of `event_type` (once, however often
    this is called)."""
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def publish(session: Session, event: Any) -> None:
    for handler in _handlers[type(event)]:
        handler(session, event)


def subscribers(event_type: type) -> list[Handler]:
    return list(_handlers[event_type])
