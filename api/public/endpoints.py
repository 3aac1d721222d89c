"""Open endpoints for consumers: look up an appliance by its QR token, report a fault, track a job."""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound

from api.context import now, services, tracking_url
from api.database import db
from api.errors import ApiError, field_error
from api.extensions import limiter
from api.idempotency import idempotent
from api.locating import locate
from api.presenters import asset_view, job_by_tracking_token
from api.public.report_photos import (
    MAX_REPORT_PHOTO_BYTES,
    ReportPhotos,
    attach_report_photos,
    job_by_number,
    read_report_photos,
)
from api.public.schemas import PhotoReportSchema, PublicReportSchema, TrackingSchema
from api.public.tracking import live_tracking
from api.schemas import PublicAssetSchema, ReportResultSchema
from api.uploads import allow_uploads
from dispatch.intake.errors import AssetNotFound
from dispatch.intake.services import (
    FaultReport,
    find_asset_by_qr,
    report_fault_by_qr,
    shows_tracking_to,
    warranty_verdict,
)
from dispatch.jobs.audit import CUSTOMER

blp = Blueprint("api_public", __name__, url_prefix="/api/v1", description="Consumer self-service (no login)")
allow_uploads(blp, {"api_public.ReportsWithPhotos": MAX_REPORT_PHOTO_BYTES})


def report_rate_limit() -> str:
    return services().settings.report_rate_limit


@blp.route("/assets/by-qr/<string:qr_token>")
class AssetByQr(MethodView):
    @blp.response(200, PublicAssetSchema)
    def get(self, qr_token: str):
        """The appliance behind a QR code, with its warranty verdict for a defect reported today"""
        asset = find_asset_by_qr(db(), qr_token[:64])
        return asset_view(asset, warranty_verdict(asset, now=now(), tz=services().tz))


@blp.route("/reports")
class Reports(MethodView):
    decorators = [limiter.limit(report_rate_limit, methods=["POST"])]

    @idempotent("public-report")
    @blp.arguments(PublicReportSchema())  # an instance: a class would be instantiated per request
    @blp.response(201, ReportResultSchema, description="A new job was opened")
    @blp.alt_response(200, schema=ReportResultSchema, description="The report joined an open job")
    def post(self, data: dict):
        """Report a fault on a registered appliance (send an Idempotency-Key to make retries safe)"""
        return _report(data, ReportPhotos())


@blp.route("/reports/with-photos")
class ReportsWithPhotos(MethodView):
    decorators = [limiter.limit(report_rate_limit, methods=["POST"])]

    @idempotent("public-report")
    @blp.arguments(PhotoReportSchema(), location="form", content_type="multipart/form-data")
    @blp.response(201, ReportResultSchema, description="A new job was opened")
    @blp.alt_response(200, schema=ReportResultSchema, description="The report joined an open job")
    def post(self, data: dict):
        """Report a fault with photos: a multipart form with the report's fields, up to 3 photos of the
        fault (`fault_photos`) and one of the purchase receipt (`receipt_photo`), each a JPEG, PNG or WebP
        of at most 8 MB. A file that is not such a photo refuses the whole report (422, nothing kept).
        Photos joining an open job are kept only when the report comes from that job's contact number."""
        photos = read_report_photos(request.files)
        if photos.errors:
            fields = ", ".join(sorted(photos.errors))
            raise ApiError(422, _("Some files cannot be accepted: %(fields)s.", fields=fields),
                           {"files": {name: [message] for name, message in photos.errors.items()}})
        return _report(data, photos)


def _report(data: dict, photos: ReportPhotos):
    try:
        receipt = report_fault_by_qr(db(), qr_token=data["qr_token"], report=_fault_report(data), actor=CUSTOMER,
                                     now=now(), tz=services().tz, locate=locate)
    except AssetNotFound as error:
        raise field_error(422, "qr_token", str(error))
    follows = shows_tracking_to(created=receipt.created, job_phone=receipt.contact_phone,
                                reporter_phone=data["contact_phone"])
    if follows and photos.photos:
        attach_report_photos(db(), job=job_by_number(db(), receipt.number), photos=photos)
    body = {"created": receipt.created, "job": receipt,
            "tracking_url": tracking_url(receipt.tracking_token) if follows else None}
    return body, 201 if receipt.created else 200


@blp.route("/tracking/<string:token>")
class Tracking(MethodView):
    @blp.response(200, TrackingSchema)
    def get(self, token: str):
        """A job as its customer sees it, by the unguessable token of its tracking link: status, the
        arrival time (live while the technician is on the way), the promises, the history oldest first.
        The tracking page asks for it every refresh_seconds"""
        job = job_by_tracking_token(db(), token)
        if job is None:
            raise NotFound("No request is known under this tracking link.")
        return live_tracking(job), 200, {"Cache-Control": "no-store"}


def _fault_report(data: dict) -> FaultReport:
    return FaultReport(channel=data["channel"], fault_text=data["fault_text"], contact_name=data["contact_name"],
                       contact_phone=data["contact_phone"], address=data.get("address") or None,
                       latitude=data.get("latitude"), longitude=data.get("longitude"))
