"""The Flask app factory: settings, clock and database are injected, so tests build their own."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import marshmallow as ma
import swagger_ui_bundle
from flask import Flask, request, send_from_directory
from flask_login import current_user

import core.rate_limits  # noqa: F401 - registers the database:// storage with `limits`
from api import auth, database, errors, i18n, input_guard, security_headers  # auth also registers the login user loader
from api.context import AppServices
from api.extensions import api, babel, csrf, limiter, login_manager
from api.features import API_BLUEPRINTS, PAGE_BLUEPRINTS
from api.i18n import CatalogueDomain, babel_locale, current_locale, entitlement_reason, stored_reason
from api.labels import actor, human, label, skills
from api.local_time import local_clock, local_datetime
from api.navigation import LANGUAGES, staff_menu
from api.presenters import tel_link
from care import message_settings
from core.clock import Clock, SystemClock
from core.db import make_engine, make_session_factory
from core.i18n import local_name
from core.settings import Settings
from core.storage import FileStorage, storage_for

MAX_REQUEST_BYTES = 64 * 1024


def _describe_pagination_header_as_sent() -> None:
    """flask-smorest sends X-Pagination as a JSON text but documents it as an object, which OpenAPI
    clients read in the header's "simple" style (total,3,...); the document says what is sent."""
    header = api.spec.components.headers.get("PAGINATION")
    if header is not None:
        header["schema"] = {"type": "string", "example": '{"total": 42, "total_pages": 3, "first_page": 1, '
                                                          '"last_page": 3, "page": 1, "next_page": 2}'}
        header["description"] = ("Pagination metadata as a JSON object: total, total_pages, first_page, "
                                 "last_page, page, previous_page, next_page.")


def _decimals_as_sent(self, field, ret, **kwargs) -> dict:
    """A Decimal field with as_string travels as text ("12.50"), so the document says string; apispec
    would call it a number with bounds written as strings, which clients checking the document refuse."""
    if isinstance(field, ma.fields.Decimal) and field.as_string:
        ret.update(type="string", format="decimal", pattern=r"^-?\d+(\.\d+)?$")
        for bound in ("minimum", "maximum"):
            ret.pop(bound, None)
    return ret


def file_storage(settings: Settings) -> FileStorage:
    """Where this app keeps photos and receipts, as the settings name it."""
    return storage_for(settings.photo_storage, upload_dir=settings.upload_dir, s3_bucket=settings.s3_bucket,
                       s3_endpoint_url=settings.s3_endpoint_url, s3_region=settings.s3_region)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None,
               testing: bool = False) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.required_secret("secret_key"),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        TESTING=testing,
        API_TITLE="Aftercare API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        # Served from the swagger-ui-bundle package, so the docs page works with no internet.
        OPENAPI_SWAGGER_UI_URL="/api/v1/docs-assets/",
        RATELIMIT_STORAGE_URI=settings.rate_limit_storage_uri,
        # X-RateLimit-* on every response would read the shared counter twice more per request; a
        # refusal still says Retry-After (api.errors).
        RATELIMIT_HEADERS_ENABLED=False,
        WTF_CSRF_TIME_LIMIT=None,
    )
    engine = make_engine(settings.database_url)
    if settings.rate_limit_storage_uri.startswith("database://"):
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"engine": engine}
    app.extensions["aftercare"] = AppServices(settings=settings, clock=clock or SystemClock(),
                                              session_factory=make_session_factory(
                                                  engine, task_queue=settings.task_queue),
                                              tz=ZoneInfo(settings.timezone),
                                              storage=file_storage(settings))
    app.extensions["aftercare_engine"] = engine
    message_settings.configure(settings)  # links and quiet hours of the messages to customers

    auth.configure_sessions(app, settings)
    security_headers.register(app, settings)  # first, so its after_request hook sees the final response
    input_guard.init_app(app)
    database.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=babel_locale, timezone_selector=lambda: settings.timezone)
    babel.domain_instance = CatalogueDomain()
    i18n.init_app(app)
    login_manager.login_view = "staff.login"
    api.init_app(app)
    api.ma_plugin.converter.add_attribute_function(_decimals_as_sent)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for blueprint in API_BLUEPRINTS:
        api.register_blueprint(blueprint)
        # The API authenticates with bearer tokens, never cookies, so CSRF does not apply to it.
        csrf.exempt(blueprint)
    for blueprint in PAGE_BLUEPRINTS:
        app.register_blueprint(blueprint)
    _describe_pagination_header_as_sent()
    errors.register(app)  # after api.init_app, so our handlers replace flask-smorest's

    swagger_dir = Path(swagger_ui_bundle.swagger_ui_path)

    @app.get("/api/v1/docs-assets/<path:filename>")
    def swagger_assets(filename: str):
        return send_from_directory(swagger_dir, filename)

    tz = app.extensions["aftercare"].tz

    @app.template_filter("localtime")
    def _localtime(value: datetime | None, where=None) -> str:
        """`{{ job.respond_by|localtime(job) }}`: in the job's (or region's) local time."""
        return local_datetime(value, where, tz)

    @app.template_filter("clock")
    def _clock(value: datetime | None, where=None) -> str:
        """Only the local time of day, for a day's plan where the date goes without saying."""
        return local_clock(value, where, tz)

    # A stored code such as 'remote_resolved' as staff read it, in the page's language.
    app.add_template_filter(human, "human")
    app.add_template_filter(actor, "actor")
    # A product model's or a part's name in the page's language.
    app.add_template_filter(local_name, "named")

    # The service line customers call, on the pages that tell them to (a region's own number, where it
    # has one, is chosen by the page that knows the region).
    hotline = app.extensions["aftercare"].settings.hotline

    @app.context_processor
    def _template_globals():
        return {"label": label, "skills": skills, "why": entitlement_reason, "reason": stored_reason,
                "locale": current_locale(),
                "current_user": current_user, "menu": staff_menu(), "languages": LANGUAGES,
                "hotline": hotline, "hotline_link": tel_link(hotline) if hotline else None}

    @app.after_request
    def _remember_language(response):
        if (lang := request.args.get("lang")) in ("en", "zh"):
            response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax")
        return response

    return app
