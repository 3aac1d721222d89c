"""What the messages to customers need from the settings, set once per process at start-up (the web
app and the worker call `configure`): the public address their links point to, the key that signs
opt-out links, the quiet hours, how far a visit must move to be news, and how an arrival time is estimated.

Messages are written by event handlers inside other packages' transactions, which carry no settings;
hence one value per process. A process that never configures (a unit test) gets the defaults with a
signing key of its own, valid only inside that process."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from core.settings import Settings, parse_quiet_hours


@dataclass(frozen=True)
class MessageSettings:
    base_url: str
    signing_key: str
    quiet_start: time
    quiet_end: time
    visit_change: timedelta
    # The zone of a job whose appliance is in no region (a region's own zone wins).
    fallback_tz: ZoneInfo
    # The arrival time told when the technician sets off (dispatch.jobs.eta): road times from OSRM when
    # configured, and how old a position may be to count.
    osrm_url: str | None = None
    position_fresh: timedelta = timedelta(minutes=15)

    @classmethod
    def of(cls, settings: Settings, *, signing_key: str) -> MessageSettings:
        start, end = parse_quiet_hours(settings.quiet_hours)
        return cls(base_url=settings.public_base_url.rstrip("/"), signing_key=signing_key,
                   quiet_start=start, quiet_end=end, visit_change=timedelta(minutes=settings.visit_change_minutes),
                   fallback_tz=ZoneInfo(settings.timezone), osrm_url=settings.osrm_url,
                   position_fresh=timedelta(minutes=settings.position_fresh_minutes))


_current = MessageSettings.of(Settings(), signing_key=secrets.token_urlsafe(32))


def configure(settings: Settings) -> None:
    """Settings without a secret key (a worker built for one task) keep this process's own signing key:
    their opt-out links are valid only here. Settings.from_env() always has one."""
    global _current
    _current = MessageSettings.of(settings, signing_key=settings.secret_key or _current.signing_key)


def current() -> MessageSettings:
    return _current
