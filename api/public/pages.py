"""Consumer pages reached from a QR label: report a fault, then follow the job."""
from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from api.context import now, services, storage
from api.database import db
from api.extensions import limiter
from api.forms import load_form
from api.labels import label
from api.locating import locate
from api.presenters import job_by_tracking_token, tel_link
from api.public.report_photos import MAX_REPORT_PHOTO_BYTES, ReportPhotos, attach_report_photos, read_report_photos
from api.public.tracking import hotline_for, live_tracking
from api.schemas import FaultReportFields
from api.uploads import allow_uploads
from core.i18n import current_locale
from dispatch.intake.errors import AssetNotFound
from dispatch.intake.services import FaultReport, find_asset_by_qr, report_fault, shows_tracking_to, warranty_verdict
from dispatch.jobs.audit import CUSTOMER
from dispatch.jobs.models import Channel
from fieldwork.photos import MAX_FAULT_PHOTOS, MAX_PHOTO_BYTES
from fieldwork.portraits import CONTENT_TYPE, portrait_bytes

bp = Blueprint("public", __name__)
allow_uploads(bp, {"public.report": MAX_REPORT_PHOTO_BYTES})

REPORT_FIELDS = ["fault_text", "contact_name", "contact_phone", "address", "latitude", "longitude"]
_report_schema = FaultReportFields()


def _asset_or_404(qr_token: str):
    try:
        return find_asset_by_qr(db(), qr_token[:64])
    except AssetNotFound:
        abort(404)


@bp.get("/")
def home():
    return render_template("home.html")


@bp.route("/r/<qr_token>", methods=["GET", "POST"])
@limiter.limit(lambda: services().settings.report_rate_limit, methods=["POST"])
def report(qr_token: str):
    asset = _asset_or_404(qr_token)
    verdict = warranty_verdict(asset, now=now(), tz=services().tz)
    form, errors, photos = {"address": asset.address}, {}, ReportPhotos()
    if request.method == "POST":
        form = {name: request.form.get(name, "") for name in REPORT_FIELDS}
        data, errors = load_form(_report_schema, request.form, REPORT_FIELDS)
        photos = read_report_photos(request.files)
        if not errors and not photos.errors:
            report = FaultReport(channel=Channel.QR, fault_text=data["fault_text"], contact_name=data["contact_name"],
                                 contact_phone=data["contact_phone"], address=data.get("address"),
                                 latitude=data.get("latitude"), longitude=data.get("longitude"),
                                 locale=current_locale())  # the customer's messages follow the page's language
            result = report_fault(db(), asset=asset, actor=CUSTOMER, now=now(), tz=services().tz,
                                  report=locate(report, asset))
            follows = shows_tracking_to(created=result.created, job_phone=result.job.contact_phone,
                                        reporter_phone=report.contact_phone)
            if not follows:
                # A label is on the appliance for anyone to scan: photos (a receipt may prove a purchase
                # date) go on a job only from its own customer, like the tracking link.
                hotline = hotline_for(asset.region)
                return render_template("report_joined.html", asset=asset, region_hotline=hotline,
                                       region_hotline_link=tel_link(hotline) if hotline else None)
            attach_report_photos(db(), job=result.job, photos=photos)
            return redirect(url_for("public.track", token=result.job.tracking_token,
                                    joined=None if result.created else 1), code=303)
    field_messages = {field: label("report.err", 'location' if field in ('latitude', 'longitude') else field)
                      for field in errors}
    field_messages.update(photos.errors)
    # Files are never sent back with a page: a form returned for correction asks for them again.
    again = photos.sent and bool(field_messages)
    return render_template("report.html", asset=asset, verdict=verdict, form=form, errors=field_messages,
                           choose_photos_again=again, max_fault_photos=MAX_FAULT_PHOTOS,
                           max_photo_mb=MAX_PHOTO_BYTES // (1024 * 1024)), \
        (422 if field_messages else 200)


@bp.get("/t/<token>")
def track(token: str):
    job = job_by_tracking_token(db(), token)
    if job is None:
        abort(404)
    return tracking_page(job, joined=request.args.get("joined") == "1")


def tracking_page(job, *, status: int = 200, **extra):
    """The customer's tracking page of `job`, with `extra` for the partials (a refusal to show, say): every
    view that answers on this page renders it here, so it always has the live view."""
    view = live_tracking(job)
    extra.setdefault("joined", False)
    response = render_template("track.html", job=job, view=view, timeline=view["timeline"], **extra)
    return response, status, {"Cache-Control": "no-store"}


@bp.get("/technician-photos/<name>")
def technician_photo(name: str):
    """A technician's portrait for the customers they visit: public, found only by its random name."""
    data = portrait_bytes(db(), storage(), name)
    if data is None:
        abort(404)
    response = Response(data, mimetype=CONTENT_TYPE)
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
