"""Case pages: the case list, the case page with its diagrams and timeline, attachment downloads."""
from flask import Blueprint, Response, abort, g, render_template, request
from flask_login import current_user, login_required

from app.cases import attachments, hooks, queries
from app.cases.access import full_codes_shown, log_identity_document
from app.cases.diagrams import diagram_xml, diagrams_for
from app.cases.events import verify_chain
from app.extensions import db
from app.pagination import page_number

bp = Blueprint("cases", __name__, url_prefix="/cases")


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
    return render_template("cases/list.html", page=page, subjects=subjects, tasks=tasks,
                           notes=hooks.list_notes([c.id for c in page.items]))


def detail_with_draft(case_id: int, key: str, values: dict):
    """The case page again after one of its sections' forms was refused: that form (`key`) open with what was typed
    (a redirect would lose it; files aside, which a browser cannot be handed back). The refusal is flashed."""
    g.form_draft = {"key": key, **{k: v for k, v in values.items() if v is not None}}
    return detail(case_id), 200


@bp.route("/<int:case_id>")
@login_required
def detail(case_id):
    args = request.args
    view = hooks.CaseView(q=(args.get("q") or "").strip()[:100], listings_page=page_number(args.get("listings_page")),
                          pushes_page=page_number(args.get("pushes_page")), steps_page=page_number(args.get("steps_page")),
                          events_back=page_number(args.get("earlier")) - 1 if args.get("earlier") else 0)
    data = queries.case_page(current_user, case_id, view)
    staff = current_user.role not in ("expert", "applicant")
    full_codes = full_codes_shown(current_user, data["case"], request.remote_addr)
    page = render_template(
        "cases/detail.html", full_codes=full_codes,
        diagrams=diagrams_for(data["case"], data["hidden_instances"]) if staff else [],
        chain=verify_chain(case_id, data["timeline"]) if staff else None, **data,
    )
    db.session.commit()  # (the view's audit event, if any: after rendering, which a commit's expiry would reload)
    return page


@bp.route("/<int:case_id>/processes/<int:instance_id>.bpmn")
@login_required
def diagram(case_id, instance_id):
    if current_user.role in ("expert", "applicant"):
        abort(403)
    case = queries.get_case(current_user, case_id)
    if instance_id in hooks.hidden_instances(current_user, case):
        abort(404)  # (as on the case page: another unit's data-call answer is not this user's to see)
    xml = diagram_xml(case, instance_id) or abort(404)
    return Response(xml, mimetype="application/xml")


@bp.route("/<int:case_id>/files/<int:attachment_id>")
@login_required
def download(case_id, attachment_id):
    att = queries.get_attachment(current_user, case_id, attachment_id)
    if log_identity_document(current_user, att, request.remote_addr):
        db.session.commit()  # (the view's audit event, before the file goes out)
    return attachments.download(att)
