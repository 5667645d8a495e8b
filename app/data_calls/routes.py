"""Data-call pages: the calls (the office's, or those addressed to the unit), publishing a call, the template and
the compiled table."""
import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from app.auth.permissions import require_role
from app.cases import queries as case_queries
from app.cases.attachments import uploads_from
from app.cases.services import commit_once, submitted_with
from app.data_calls import repeats, services
from app.data_calls.forms import CallForm
from app.enums import CaseKind
from app.errors import NotFound
from app.exports import XLSX
from app.form_errors import commit_or_flash
from app.i18n import lazy_gettext as _l
from app.security_log import services as security_log
from forms.fields import choices, renew_submission_key, submission_key_of

bp = Blueprint("data_calls", __name__, url_prefix="/data-calls")


@bp.route("/")
@login_required
def index():
    require_role(current_user, "caseworker", "group_lead", "office", "supervisor", "admin")
    return render_template("data_calls/index.html", calls=services.calls_for(current_user), states=services.STATE_LABELS,
                           repeated=repeats.active_repeats() if current_user.role in ("office", "supervisor", "admin") else [])


@bp.route("/repeats/<int:repeat_id>/stop", methods=["POST"])
@login_required
def stop_repeat(repeat_id):
    require_role(current_user, "office")
    stopped = []
    if commit_or_flash(lambda: stopped.append(repeats.stop(current_user, repeat_id)), _l("The call will not be published again.")) \
            and request.form.get("back") == "case":  # (stopped from the call's own page: back to it)
        return redirect(url_for("cases.detail", case_id=stopped[0].source_case_id, _anchor="data-call"))
    return redirect(url_for("data_calls.index"))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require_role(current_user, "office")
    form = CallForm()
    form.unit_ids.choices = choices((u.id, u.name) for u in services.callable_units())
    posted = request.method == "POST"
    key = submission_key_of(form)
    if posted and (earlier := submitted_with(current_user, key)):  # sent twice: published once (and repeated once)
        flash(_l("This form was already sent: it published %(number)s.", number=earlier.number), "info")
        return redirect(url_for("cases.detail", case_id=earlier.id))
    if form.validate_on_submit():
        uploads = uploads_from(request.files.getlist("template"), "template")

        def publish():
            case = services.publish(current_user, form.title.data, form.instructions.data, form.columns.data,
                                    form.unit_ids.data or [], form.days.data, uploads[0] if uploads else None, key)
            if form.repeat.data:
                repeats.start(current_user, case, form.repeat.data)
            return case

        case = commit_once(form, current_user, key, publish)
        if case:
            flash(_l("Call %(number)s published to the units.", number=case.number), "success")
            return redirect(url_for("cases.detail", case_id=case.id))
    renew_submission_key(form, posted)
    return render_template("data_calls/new.html", form=form)


def _call(case_id: int):
    case = case_queries.get_case(current_user, case_id)  # "no such case" unless the unit was called
    if case.kind != CaseKind.DATA_CALL:
        raise NotFound(_l("No such case."))
    return case


@bp.route("/<int:case_id>/template.xlsx")
@login_required
def template(case_id):
    case = _call(case_id)
    return send_file(io.BytesIO(services.template(case)), mimetype=XLSX, as_attachment=True, download_name=f"{case.number}-template.xlsx")


@bp.route("/<int:case_id>/compiled.xlsx")
@login_required
def compiled(case_id):
    require_role(current_user, "office", "supervisor", "admin")
    case = _call(case_id)
    data = services.compiled_xlsx(case)
    security_log.record_export(current_user, request.remote_addr, "data_call", key=case.id)
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=f"{case.number}-compiled.xlsx")
