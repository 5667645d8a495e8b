"""Case pages: file a trigger, list cases, the case page, attachment downloads."""
from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from app.i18n import lazy_gettext as _l
from flask_login import current_user, login_required

from app.pagination import page_number

from app.auth.models import CASEWORKER
from app.auth.permissions import can_see_full_codes, require_role
from app.cases import attachments, queries, services
from app.cases.forms import TriggerForm
from app.catalog.services import usable_entries
from app.form_errors import commit_or_errors
from app.labels import CASE_KIND_LABELS
from app.uploads import uploads_from
from forms.joint_punishment import choices

bp = Blueprint("cases", __name__, url_prefix="/cases")


def _entry_choices():
    entries = usable_entries()
    return choices(
        (e.id, f"[{CASE_KIND_LABELS[e.kind]}] {e.code} {e.current_version.behaviour} — {e.group.name}") for e in entries
    )


@bp.route("/")
@login_required
def list_cases():
    page = queries.visible_cases(
        current_user,
        q=request.args.get("q"),
        status=request.args.get("status") or None,
        kind=request.args.get("kind") or None,
        page=page_number(request.args.get("page")),
    )
    subjects = queries.subjects_for([c.id for c in page.items])
    tasks = queries.open_tasks_for([c.id for c in page.items])
    return render_template("cases/list.html", page=page, subjects=subjects, tasks=tasks)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_case():
    require_role(current_user, CASEWORKER)
    form = TriggerForm()
    form.entry_ids.choices = _entry_choices()
    if form.validate_on_submit():
        subjects = [
            services.SubjectIn(row.form.kind.data, row.form.name.data or "", row.form.code.data or "")
            for row in form.subjects
            if not row.form.is_blank()
        ]
        case = commit_or_errors(form, lambda: services.file_trigger(
            current_user,
            subjects=subjects,
            entry_ids=form.entry_ids.data,
            title=form.title.data,
            facts=form.facts.data,
            legal_basis=form.legal_basis.data,
            files=uploads_from(request.files.getlist(form.files.name)),
        ))
        if case:
            flash(_l("Trigger %(number)s filed and sent for pre-review.", number=case.number), "success")
            for warning in services.subject_warnings(case):
                flash(warning, "warning")
            return redirect(url_for("cases.detail", case_id=case.id))
    elif request.method == "POST":
        flash(_l("Please correct the marked fields."), "danger")
    return render_template("cases/new.html", form=form)


@bp.route("/<int:case_id>")
@login_required
def detail(case_id):
    from app.cases.diagrams import diagrams_for
    from app.cases.events import verify_chain

    data = queries.case_page(current_user, case_id)
    staff = current_user.role not in ("expert", "applicant")
    return render_template(
        "cases/detail.html", full_codes=can_see_full_codes(current_user, data["case"]),
        diagrams=diagrams_for(data["case"]) if staff else [],
        chain=verify_chain(case_id, data["timeline"]) if staff else None, **data,
    )


@bp.route("/<int:case_id>/processes/<int:instance_id>.bpmn")
@login_required
def diagram(case_id, instance_id):
    from flask import Response, abort

    from app.cases.diagrams import diagram_xml

    if current_user.role in ("expert", "applicant"):
        abort(403)
    case = queries.get_case(current_user, case_id)
    xml = diagram_xml(case, instance_id) or abort(404)
    return Response(xml, mimetype="application/xml")


@bp.route("/<int:case_id>/files/<int:attachment_id>")
@login_required
def download(case_id, attachment_id):
    att = queries.get_attachment(current_user, case_id, attachment_id)
    return send_file(
        attachments.file_path(att), mimetype=att.content_type, as_attachment=True, download_name=att.filename
    )
