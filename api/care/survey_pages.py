"""The callback survey a customer opens from the message link: on a phone, no sign-in, answered once."""
from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, abort, redirect, render_template, request, url_for

from api.care.schemas import SurveyFormSchema
from api.context import now, services
from api.database import db
from api.extensions import limiter
from api.labels import label
from care.models import ProblemArea
from care.surveys import SurveyAlreadyAnswered, SurveyAnswer, SurveyNotFound, answer_survey, survey_by_token

bp = Blueprint("survey", __name__)

_form_schema = SurveyFormSchema()


def _survey_or_404(token: str, *, for_update: bool = False):
    try:
        return survey_by_token(db(), token[:64], for_update=for_update)
    except SurveyNotFound:
        abort(404)


def _read_form() -> tuple[dict, dict, dict[str, str]]:
    """(what was typed, the loaded answer, field -> message in the page's language)."""
    raw = {"rating": request.form.get("rating", "").strip(), "fixed": request.form.get("fixed", "").strip(),
           "problem_areas": request.form.getlist("problem_areas"), "comment": request.form.get("comment", "")}
    given = {k: v for k, v in raw.items() if v not in ("", [])}
    try:
        return raw, _form_schema.load(given, unknown=ma.EXCLUDE), {}
    except ma.ValidationError as error:
        return raw, {}, {field: label("survey.err", field) for field in error.normalized_messages()}


def _page(survey, *, form=None, errors=None, status=200, state="form"):
    return render_template("survey.html", survey=survey, job=survey.job, form=form or {"problem_areas": []},
                           errors=errors or {}, state=state, areas=list(ProblemArea)), status


@bp.route("/s/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: services().settings.report_rate_limit, methods=["POST"])
def survey(token: str):
    survey = _survey_or_404(token, for_update=request.method == "POST")
    if survey.answered_at is not None:
        if request.method == "POST":
            return _page(survey, state="already", status=409)
        return _page(survey, state="done" if request.args.get("done") == "1" else "already")
    if request.method == "GET":
        return _page(survey)
    form, data, errors = _read_form()
    if errors:
        return _page(survey, form=form, errors=errors, status=422)
    try:
        answer_survey(db(), survey=survey, now=now(),
                      answer=SurveyAnswer(rating=data["rating"], fixed=data["fixed"],
                                          problem_areas=tuple(data["problem_areas"]), comment=data["comment"]))
    except SurveyAlreadyAnswered:
        return _page(survey, state="already", status=409)
    return redirect(url_for("survey.survey", token=survey.token, done=1), code=303)
