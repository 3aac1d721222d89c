"""Settings read once from the environment; everything has a working default.

The two secrets (signing sessions, signing webhooks) have no default value: unless the environment
gives one, each process reads it from the data folder, where the first start made it at random.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

from core.map_tiles import InvalidTiles, MapTiles
from core.secret_files import load_or_create
from core.storage import LOCAL, S3, STORAGE_KINDS

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_data_dir(project_root: Path = PROJECT_ROOT) -> Path:
    """`var/` beside the code when it runs from a checkout (`make run`); once installed as a package
    the code lives in site-packages, which is no place for a database, so `./var` of the working
    directory (where the operator runs `aftercare`; AFTERCARE_DATA_DIR sets any other)."""
    if (project_root / "pyproject.toml").is_file():
        return project_root / "var"
    return Path.cwd() / "var"


DEFAULT_DATA_DIR = default_data_dir()
# Older versions defaulted both secrets to this value; it is public, so it is never accepted.
DEVELOPMENT_SECRET = "dev-only-change-me"
MIN_SECRET_LENGTH = 32
# Each secret's environment variable; without it, the data folder's file of the secret's name holds it.
SECRET_VARIABLES = {"secret_key": "AFTERCARE_SECRET_KEY", "webhook_secret": "AFTERCARE_WEBHOOK_SECRET"}

MESSAGES = {
    "public_secret": "{source} is the public development value {value!r}, which anyone can read in the source "
                     "code. Set it to a long random value (python -c 'import secrets; print(secrets.token_urlsafe(48))'"
                     "), or leave {variable} unset to have one generated in the data folder.",
    "short_secret": "{source} is {length} characters long; at least {minimum} are needed. Set it to a long random "
                    "value (python -c 'import secrets; print(secrets.token_urlsafe(48))'), or leave {variable} "
                    "unset to have one generated in the data folder.",
    "missing_secret": "No {name} is configured: set {variable}, or build the settings with Settings.from_env(), "
                      "which keeps a generated one in the data folder.",
    "share": "AFTERCARE_SLA_WARNING_SHARE must be between 0 and 1, not {raw}",
}


class InvalidSetting(ValueError):
    """A setting that cannot be used; start-up stops with the reason."""


def check_secret(value: str, *, name: str, source: str) -> str:
    """`value` if it can sign anything: never the public development value, never a short one."""
    variable = SECRET_VARIABLES[name]
    if value == DEVELOPMENT_SECRET:
        raise InvalidSetting(MESSAGES["public_secret"].format(source=source, value=value, variable=variable))
    if len(value) < MIN_SECRET_LENGTH:
        raise InvalidSetting(MESSAGES["short_secret"].format(source=source, length=len(value),
                                                             minimum=MIN_SECRET_LENGTH, variable=variable))
    return value


def _default_rate_limit_storage(database_url: str) -> str:
    return "database://" if database_url.startswith("postgresql") else "memory://"


def _default_task_queue(database_url: str) -> str:
    return "procrastinate" if database_url.startswith("postgresql") else "database"


def _sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'aftercare.db'}"


def _default_database_url() -> str:
    return _sqlite_url(DEFAULT_DATA_DIR)


@dataclass(frozen=True)
class Settings:
    # Where the process keeps its files by default: the SQLite database, uploads, generated secrets.
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = field(default_factory=_default_database_url)
    # Base of every link printed on a QR label or sent to a customer.
    public_base_url: str = "http://127.0.0.1:5000"
    # Signs session cookies and CSRF tokens. Empty means "not configured": the app refuses to start.
    secret_key: str = ""
    report_rate_limit: str = "20 per minute"
    login_rate_limit: str = "10 per minute"
    # Where the rate limiter keeps its counters: database:// is the app's own PostgreSQL database,
    # shared by every worker and host (core/rate_limits.py), the default there; memory:// counts per
    # process, the default on SQLite, whose one write lock a request may already hold; redis://... is Redis.
    rate_limit_storage_uri: str = "memory://"
    upload_dir: Path = field(default_factory=lambda: DEFAULT_DATA_DIR / "uploads")
    # Where photos and receipts are kept (core.storage): "local" is the upload folder on this machine;
    # "s3" is a bucket of an S3-compatible service, shared by every host (credentials from boto3's chain).
    photo_storage: str = LOCAL
    s3_bucket: str | None = None
    # Unset: Amazon S3 itself; otherwise the address of a compatible server (MinIO, Ceph...).
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    # Times are stored in UTC and shown, and dates judged (warranty days), in this zone.
    timezone: str = "Asia/Shanghai"
    # Road durations from an OSRM server's table API instead of the great-circle estimate.
    osrm_url: str | None = None
    # Street maps: a tile server's address template ({z}/{x}/{y}), the credit its terms ask for, its deepest
    # zoom. Unset: the pages draw routes as a plain SVG picture and load no map library.
    map_tiles: str | None = None
    map_attribution: str = ""
    map_max_zoom: int = 19
    # A geopy geocoder name (e.g. "nominatim") for addresses typed without coordinates.
    geocoder: str | None = None
    # Outgoing messages (the outbox): SMTP for email; a signed webhook for SMS gateways and chat apps.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "aftercare@localhost"
    webhook_url: str | None = None
    # Signs each webhook POST; empty means "not configured", refused once a webhook URL is set.
    webhook_secret: str = ""
    # The SLA watch warns (and tries to re-dispatch) when this share of a clock's time has passed.
    sla_warning_share: float = 0.75
    # A purchase order worth more than this (currency of unit costs) waits for a manager's approval.
    purchase_approval_limit: Decimal = Decimal("5000.00")
    # No message reaches a customer between these local times ("HH:MM-HH:MM", in the region's time zone)
    # unless the job is urgent or the message cannot wait (the technician is on the way).
    quiet_hours: str = "21:00-08:00"
    # A planned visit that moves by more than this many minutes is news to the customer; less is not.
    visit_change_minutes: int = 30
    # Where background work goes (core.background): "database", the embedded queue run by the one
    # scheduler process (the default, and the only one on SQLite); "procrastinate", Procrastinate workers
    # on PostgreSQL (the default there, from the environment).
    task_queue: str = "database"
    # The service line customers call (tracking page, error pages); a region may have its own. Empty: none shown.
    hotline: str = ""
    # A technician's position older than this many minutes no longer gives a live arrival time.
    position_fresh_minutes: int = 15
    # How often an open tracking page asks for news, in seconds.
    track_refresh_seconds: int = 30
    # A repair is itself under warranty for this many days from its completion (shown to the customer).
    repair_warranty_days: int = 90
    # The length of the arrival windows offered to customers (dispatch.planning.windows).
    appointment_window_minutes: int = 120

    def __post_init__(self) -> None:
        parse_quiet_hours(self.quiet_hours)
        if self.task_queue not in ("database", "procrastinate"):
            raise InvalidSetting(f"AFTERCARE_TASK_QUEUE must be database or procrastinate, not {self.task_queue!r}")
        if self.task_queue == "procrastinate" and not self.database_url.startswith("postgresql"):
            raise InvalidSetting("AFTERCARE_TASK_QUEUE=procrastinate needs a PostgreSQL database")
        check_photo_storage(self)
        self.street_map  # noqa: B018 - refuses a tile template that cannot work, at start-up
        if not 1 <= self.visit_change_minutes <= 24 * 60:
            raise InvalidSetting(f"visit_change_minutes must be from 1 to 1440, not {self.visit_change_minutes}")
        if not 1 <= self.position_fresh_minutes <= 24 * 60:
            raise InvalidSetting(f"position_fresh_minutes must be from 1 to 1440, not {self.position_fresh_minutes}")
        if not 5 <= self.track_refresh_seconds <= 3600:
            raise InvalidSetting(f"track_refresh_seconds must be from 5 to 3600, not {self.track_refresh_seconds}")
        if not is_phone_number(self.hotline, allow_empty=True):
            raise InvalidSetting(f"the hotline must be a phone number (digits, +, spaces or dashes), not {self.hotline!r}")
        if not 0 <= self.repair_warranty_days <= 3650:
            raise InvalidSetting(f"repair_warranty_days must be from 0 to 3650, not {self.repair_warranty_days}")
        if not 15 <= self.appointment_window_minutes <= 12 * 60:
            raise InvalidSetting("appointment_window_minutes must be from 15 to 720, "
                                 f"not {self.appointment_window_minutes}")
        for name in SECRET_VARIABLES:
            if value := getattr(self, name):
                check_secret(value, name=name, source=f"Settings.{name}")

    @property
    def street_map(self) -> MapTiles | None:
        if not self.map_tiles:
            return None
        try:
            return MapTiles(self.map_tiles, self.map_attribution, self.map_max_zoom)
        except InvalidTiles as error:
            raise InvalidSetting(str(error)) from None

    def required_secret(self, name: str) -> str:
        """The secret `name` ("secret_key" or "webhook_secret"), refusing to go on without one."""
        value = getattr(self, name)
        if not value:
            raise InvalidSetting(MESSAGES["missing_secret"].format(name=name, variable=SECRET_VARIABLES[name]))
        return value

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """The settings of this process. A secret the environment does not give is read from the data
        folder, and generated there (mode 0600) by the first process that needs it."""
        env = os.environ if environ is None else environ
        defaults = cls()
        data_dir = Path(env.get("AFTERCARE_DATA_DIR") or defaults.data_dir)
        return cls(
            data_dir=data_dir,
            database_url=env.get("AFTERCARE_DATABASE_URL") or _sqlite_url(data_dir),
            public_base_url=env.get("AFTERCARE_PUBLIC_BASE_URL", defaults.public_base_url).rstrip("/"),
            secret_key=_secret(env, "secret_key", data_dir),
            report_rate_limit=env.get("AFTERCARE_REPORT_RATE_LIMIT", defaults.report_rate_limit),
            login_rate_limit=env.get("AFTERCARE_LOGIN_RATE_LIMIT", defaults.login_rate_limit),
            rate_limit_storage_uri=env.get("AFTERCARE_RATELIMIT_STORAGE_URI") or _default_rate_limit_storage(
                env.get("AFTERCARE_DATABASE_URL") or ""),
            upload_dir=Path(env.get("AFTERCARE_UPLOAD_DIR") or data_dir / "uploads"),
            photo_storage=(env.get("AFTERCARE_PHOTO_STORAGE") or defaults.photo_storage).strip(),
            s3_bucket=(env.get("AFTERCARE_S3_BUCKET") or "").strip() or None,
            s3_endpoint_url=(env.get("AFTERCARE_S3_ENDPOINT_URL") or "").strip().rstrip("/") or None,
            s3_region=(env.get("AFTERCARE_S3_REGION") or "").strip() or None,
            timezone=env.get("AFTERCARE_TIMEZONE", defaults.timezone),
            osrm_url=env.get("AFTERCARE_OSRM_URL") or None,
            geocoder=env.get("AFTERCARE_GEOCODER") or None,
            map_tiles=(env.get("AFTERCARE_MAP_TILES") or "").strip() or None,
            map_attribution=(env.get("AFTERCARE_MAP_ATTRIBUTION") or "").strip(),
            map_max_zoom=_whole(env.get("AFTERCARE_MAP_MAX_ZOOM"), defaults.map_max_zoom,
                                variable="AFTERCARE_MAP_MAX_ZOOM"),
            smtp_host=env.get("AFTERCARE_SMTP_HOST") or None,
            smtp_port=int(env.get("AFTERCARE_SMTP_PORT", defaults.smtp_port)),
            smtp_from=env.get("AFTERCARE_SMTP_FROM", defaults.smtp_from),
            webhook_url=env.get("AFTERCARE_WEBHOOK_URL") or None,
            webhook_secret=_secret(env, "webhook_secret", data_dir),
            sla_warning_share=_share(env.get("AFTERCARE_SLA_WARNING_SHARE"), defaults.sla_warning_share),
            purchase_approval_limit=_amount(env.get("AFTERCARE_PURCHASE_APPROVAL_LIMIT"),
                                            defaults.purchase_approval_limit),
            quiet_hours=env.get("AFTERCARE_QUIET_HOURS") or defaults.quiet_hours,
            visit_change_minutes=_whole(env.get("AFTERCARE_VISIT_CHANGE_MINUTES"), defaults.visit_change_minutes,
                                        variable="AFTERCARE_VISIT_CHANGE_MINUTES"),
            task_queue=env.get("AFTERCARE_TASK_QUEUE") or _default_task_queue(env.get("AFTERCARE_DATABASE_URL") or ""),
            hotline=(env.get("AFTERCARE_HOTLINE") or "").strip(),
            position_fresh_minutes=_whole(env.get("AFTERCARE_POSITION_FRESH_MINUTES"), defaults.position_fresh_minutes,
                                          variable="AFTERCARE_POSITION_FRESH_MINUTES"),
            track_refresh_seconds=_whole(env.get("AFTERCARE_TRACK_REFRESH_SECONDS"), defaults.track_refresh_seconds,
                                         variable="AFTERCARE_TRACK_REFRESH_SECONDS"),
            repair_warranty_days=_whole(env.get("AFTERCARE_REPAIR_WARRANTY_DAYS"), defaults.repair_warranty_days,
                                        variable="AFTERCARE_REPAIR_WARRANTY_DAYS"),
            appointment_window_minutes=_whole(env.get("AFTERCARE_APPOINTMENT_WINDOW_MINUTES"),
                                              defaults.appointment_window_minutes,
                                              variable="AFTERCARE_APPOINTMENT_WINDOW_MINUTES"),
        )


_BUCKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$")
_REGION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
MAX_URL_LENGTH = 2048


def check_photo_storage(settings: Settings) -> None:
    """The file storage the settings name, and for S3 a bucket to put the files in."""
    if settings.photo_storage not in STORAGE_KINDS:
        raise InvalidSetting(f"AFTERCARE_PHOTO_STORAGE must be {LOCAL} (files on this machine's disk, under "
                             f"AFTERCARE_UPLOAD_DIR) or {S3} (a bucket of an S3-compatible service, "
                             f"AFTERCARE_S3_BUCKET), not {settings.photo_storage!r}")
    if settings.photo_storage != S3:
        return
    if not settings.s3_bucket:
        raise InvalidSetting("AFTERCARE_PHOTO_STORAGE=s3 needs a bucket: set AFTERCARE_S3_BUCKET to the name of an "
                             "existing bucket (and AFTERCARE_S3_ENDPOINT_URL for a server other than Amazon S3; "
                             "credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or boto3's other "
                             "sources)")
    if not _BUCKET.match(settings.s3_bucket):
        raise InvalidSetting("AFTERCARE_S3_BUCKET must be a bucket name of 3 to 63 letters, digits, dots, hyphens "
                             f"or underscores, not {settings.s3_bucket!r}")
    if settings.s3_endpoint_url is not None:
        url = urlsplit(settings.s3_endpoint_url)
        if len(settings.s3_endpoint_url) > MAX_URL_LENGTH or url.scheme not in ("http", "https") or not url.netloc:
            raise InvalidSetting("AFTERCARE_S3_ENDPOINT_URL must be an http:// or https:// address (e.g. "
                                 f"https://minio.example.com:9000), not {settings.s3_endpoint_url!r}")
    if settings.s3_region is not None and not _REGION.match(settings.s3_region):
        raise InvalidSetting(f"AFTERCARE_S3_REGION must be a region name such as us-east-1, not {settings.s3_region!r}")


def _secret(env, name: str, data_dir: Path) -> str:
    variable = SECRET_VARIABLES[name]
    if value := env.get(variable):
        return check_secret(value, name=name, source=variable)
    path = data_dir / name
    return check_secret(load_or_create(path), name=name, source=str(path))


_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{2,30}$")


def is_phone_number(value: str, *, allow_empty: bool = False) -> bool:
    """A number a phone can dial from a tel: link (short service numbers such as 95105 included)."""
    return (allow_empty and value == "") or bool(_PHONE.match(value))


def parse_quiet_hours(raw: str) -> tuple[time, time]:
    """"21:00-08:00" -> (21:00, 08:00); the start may be after the end (the quiet hours cross midnight).
    Equal times mean "no quiet hours". A wrong value stops start-up with the reason."""
    try:
        start, end = (time.fromisoformat(part.strip()) for part in raw.split("-"))
    except ValueError:
        raise InvalidSetting(f"quiet hours must be written HH:MM-HH:MM (e.g. 21:00-08:00), not {raw!r}") from None
    return start, end


def _whole(raw: str | None, default: int, *, variable: str) -> int:
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw.strip())
    except ValueError:
        raise InvalidSetting(f"{variable} must be a whole number, not {raw!r}") from None


def _share(raw: str | None, default: float) -> float:
    """A fraction strictly between 0 and 1 (e.g. 0.75); a wrong value stops start-up with the reason."""
    if raw is None or raw == "":
        return default
    value = float(raw)
    if not 0 < value < 1:
        raise InvalidSetting(MESSAGES["share"].format(raw=raw))
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
