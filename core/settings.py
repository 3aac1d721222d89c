"""Settings read once from the environment; everything has a working default."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'aftercare.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_database_url)
    # Base of every link printed on a QR label or sent to a customer.
    public_base_url: str = "http://127.0.0.1:5000"
    secret_key: str = "dev-only-change-me"
    report_rate_limit: str = "20 per minute"
    login_rate_limit: str = "10 per minute"
    # Where the rate limiter keeps its counters; memory:// is per process.
    rate_limit_storage_uri: str = "memory://"
    upload_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var" / "uploads")
    # Times are stored in UTC and shown, and dates judged (warranty days), in this zone.
    timezone: str = "Asia/Shanghai"
    # Road durations from an OSRM server's table API instead of the great-circle estimate.
    osrm_url: str | None = None
    # A geopy geocoder name (e.g. "nominatim") for addresses typed without coordinates.
    geocoder: str | None = None
    # Outgoing messages (the outbox): SMTP for email; a signed webhook for SMS gateways and chat apps.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "aftercare@localhost"
    webhook_url: str | None = None
    webhook_secret: str = "dev-only-change-me"
    # The SLA watch warns (and tries to re-dispatch) when this share of a clock's time has passed.
    sla_warning_share: float = 0.75
    # A purchase order worth more than this (currency of unit costs) waits for a manager's approval.
    purchase_approval_limit: Decimal = Decimal("5000.00")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            database_url=env.get("AFTERCARE_DATABASE_URL", defaults.database_url),
            public_base_url=env.get("AFTERCARE_PUBLIC_BASE_URL", defaults.public_base_url).rstrip("/"),
            secret_key=env.get("AFTERCARE_SECRET_KEY", defaults.secret_key),
            report_rate_limit=env.get("AFTERCARE_REPORT_RATE_LIMIT", defaults.report_rate_limit),
            login_rate_limit=env.get("AFTERCARE_LOGIN_RATE_LIMIT", defaults.login_rate_limit),
            rate_limit_storage_uri=env.get("AFTERCARE_RATELIMIT_STORAGE_URI", defaults.rate_limit_storage_uri),
            upload_dir=Path(env.get("AFTERCARE_UPLOAD_DIR", str(defaults.upload_dir))),
            timezone=env.get("AFTERCARE_TIMEZONE", defaults.timezone),
            osrm_url=env.get("AFTERCARE_OSRM_URL") or None,
            geocoder=env.get("AFTERCARE_GEOCODER") or None,
            smtp_host=env.get("AFTERCARE_SMTP_HOST") or None,
            smtp_port=int(env.get("AFTERCARE_SMTP_PORT", defaults.smtp_port)),
            smtp_from=env.get("AFTERCARE_SMTP_FROM", defaults.smtp_from),
            webhook_url=env.get("AFTERCARE_WEBHOOK_URL") or None,
            webhook_secret=env.get("AFTERCARE_WEBHOOK_SECRET", defaults.webhook_secret),
            sla_warning_share=_share(env.get("AFTERCARE_SLA_WARNING_SHARE"), defaults.sla_warning_share),
            purchase_approval_limit=_amount(env.get("AFTERCARE_PURCHASE_APPROVAL_LIMIT"),
                                            defaults.purchase_approval_limit),
        )


def _share(raw: str | None, default: float) -> float:
    """A fraction strictly between 0 and 1 (e.g. 0.75); a wrong value stops start-up with the reason."""
    if raw is None or raw == "":
        return default
    value = float(raw)
    if not 0 < value < 1:
        raise ValueError(f"AFTERCARE_SLA_WARNING_SHARE must be between 0 and 1, not {raw}")
    return value


def _amount(raw: str | None, default: Decimal) -> Decimal:
    """An amount of money, 0 or more (e.g. 5000.00); a wrong value stops start-up with the reason."""
    if raw is None or raw.strip() == "":
        return default
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0:
        raise ValueError(f"AFTERCARE_PURCHASE_APPROVAL_LIMIT must be an amount of 0 or more, not {raw}")
    return value
