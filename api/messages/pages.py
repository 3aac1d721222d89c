"""The opt-out page a customer opens from the link in a message: no sign-in, on a phone. Opening the link
changes nothing (mail scanners open links); the button does."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from api.context import now, services
from api.database import db
from api.extensions import limiter
from care.opt_out import MAX_TOKEN_LENGTH, OptOutLinkInvalid, customer_of_token, opt_back_in, opt_out

bp = Blueprint("messages", __name__)

ACTIONS = ("stop", "resume")


def _customer_or_404(token: str):
    try:
        return customer_of_token(db(), token[:MAX_TOKEN_LENGTH + 1])
    except OptOutLinkInvalid:
        abort(404)


@bp.route("/messages/opt-out/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: services().settings.report_rate_limit, methods=["POST"])
def opt_out_page(token: str):
    customer = _customer_or_404(token)
    if request.method == "GET":
        return render_template("opt_out.html", token=token, opted_out=customer.messages_opted_out_at is not None,
                               error=None)
    action = request.form.get("action", "")
    if action not in ACTIONS:
        return render_template("opt_out.html", token=token, opted_out=customer.messages_opted_out_at is not None,
                               error="action"), 422
    if action == "stop":
        opt_out(db(), customer=customer, now=now())
    else:
        opt_back_in(db(), customer=customer)
    return redirect(url_for("messages.opt_out_page", token=token), code=303)
