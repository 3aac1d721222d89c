"""The page an invited user opens from their one-time link to choose a password (no sign-in needed:
the signed link is the proof). Used once, it stops working; so does an expired or forged one."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from api.context import now
from api.database import db
from api.people import forms
from api.people.invitations import user_for_invitation
from api.people.schemas import PasswordResetSchema
from core.i18n import gettext as _
from core.password_policy import MIN_LENGTH, WeakPassword
from core.users import accept_invitation

bp = Blueprint("welcome", __name__)


@bp.route("/welcome/<string(maxlength=300):token>", methods=["GET", "POST"])
def set_password(token: str):
    user = user_for_invitation(db(), token)
    if user is None:
        abort(404, _("This link has expired or was already used; ask your administrator for a new one."))
    errors: dict[str, str] = {}
    if request.method == "POST":
        password = request.form.get("password", "")
        data, errors = forms.load(PasswordResetSchema(), {"password": password} if password else {}, {})
        if not errors:
            try:
                accept_invitation(db(), now=now(), user=user, password=data["password"])
            except WeakPassword as error:
                errors = {"password": str(error)}
            else:
                flash(_("Your password is set; sign in with it now."))
                return redirect(url_for("staff.login"), code=303)
    return render_template("people_welcome.html", user=user, errors=errors, min_length=MIN_LENGTH), \
        (422 if errors else 200)
