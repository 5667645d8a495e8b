"""The applicant portal (申请人) and the public lists (no login)."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user

from app.auth.models import APPLICANT, Unit
from app.auth.permissions import require_role
from app.cases import attachments
from app.cases import queries as case_queries
from app.cases.attachments import uploads_from
from app.cases.routes import detail_with_draft
from app.enums import CaseKind
from app.errors import DomainError
from app.extensions import db, limiter
from app.form_errors import FORM_EXPIRED_KEPT, apply_errors, csrf_checked_by_form, csrf_failed
from app.i18n import lazy_gettext as _l
from app.kept_uploads import files_sent, kept_for
from app.pagination import page_number
from app.rights import accounts, objections, queries, repair
from app.rights.forms import DeskRepairForm, ObjectionForm, PaperObjectionForm, RegisterForm, RepairForm
from app.supervision import services as supervision_services

bp = Blueprint("portal", __name__, url_prefix="/portal")
public_bp = Blueprint("public", __name__, url_prefix="/public")


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"], methods=["POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register(form.kind.data, form.subject_code.data, form.access_code.data, form.username.data,
                                     form.password.data, form.full_name.data or "")
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            login_user(user)
            flash(_l("Your account is ready. Here are the cases about you."), "success")
            return redirect(url_for("portal.index"))
    return render_template("portal/register.html", form=form)


@bp.route("/")
@login_required
def index():
    require_role(current_user, APPLICANT)
    cases = queries.my_cases(current_user)
    own, complained = queries.own_listing_status(current_user, cases), queries.complained_of(cases)
    return render_template("portal/index.html", cases=cases,
                           status_of={c.id: queries.applicant_status(c, own.get(c.id), c.id in complained) for c in cases},
                           checks=queries.checks_of_me(current_user))


@bp.route("/cases/<int:case_id>")
@login_required
def case(case_id):
    return render_template("portal/case.html", **queries.status_page(current_user, case_id))


@bp.route("/cases/<int:case_id>/files/<int:attachment_id>")
@login_required
def document(case_id, attachment_id):
    att = queries.document(current_user, case_id, attachment_id)
    return attachments.download(att)


@bp.route("/cases/<int:case_id>/objection", methods=["GET", "POST"])
@login_required
@csrf_checked_by_form
def objection(case_id):
    data = queries.status_page(current_user, case_id)
    if not objections.objectionable(data["case"]):  # (an objection, a repair…: no form to fill in only to be refused)
        flash(_l("An objection can be filed against a decision to take joint punishment."), "info")
        return redirect(url_for("portal.case", case_id=case_id))
    if data["open_objection"] is not None or data["handled_objection"] is not None:
        return redirect(url_for("portal.case", case_id=case_id))  # (its page says where the objection stands)
    if data["left_out"]:  # (no form to fill in for nothing: the case page says the decision takes no action on it)
        flash(_l("The decision takes no joint punishment on this subject: there is nothing to object to."), "info")
        return redirect(url_for("portal.case", case_id=case_id))
    form = ObjectionForm()
    if form.validate_on_submit():
        try:
            obj = objections.file_objection(current_user, case_id, form.grounds.data, files_sent("files"))
            db.session.commit()
        except (objections.OpenObjection, objections.ObjectionHandled) as exc:
            db.session.rollback()
            flash(exc.message, "warning")
            return redirect(url_for("portal.case", case_id=case_id))  # its page links to the open objection
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            if data["listing"] is not None and data["listing"].status == "expired":
                flash(_l("Your objection %(number)s has been filed. The punishment's period has ended; a founded objection "
                         "revokes the determination on your record.", number=obj.number), "success")
            else:
                flash(_l("Your objection %(number)s has been filed. The punishment is suspended while it is handled.",
                         number=obj.number), "success")
            return redirect(url_for("portal.case", case_id=obj.id))
    elif csrf_failed(form):
        flash(FORM_EXPIRED_KEPT, "danger")
    to_unit = db.session.get(Unit, objections.determining(data["case"], data["listing"])[0])
    return render_template("portal/objection.html", form=form, kept=kept_for(form, ("files",)), to_unit=to_unit, **data)


@bp.route("/cases/<int:case_id>/repair", methods=["GET", "POST"])
@login_required
@csrf_checked_by_form
def repair_application(case_id):
    data = queries.status_page(current_user, case_id)
    if data["case"].kind != CaseKind.PUNISHMENT or data["case"].decision != "act":
        # (an objection, a repair, a case not decided to act: no form to fill in only to be refused)
        flash(_l("Credit repair is applied for under a decision to take joint punishment."), "info")
        return redirect(url_for("portal.case", case_id=case_id))
    if data["left_out"]:
        flash(_l("The decision takes no joint punishment on this subject: there is nothing to repair."), "info")
        return redirect(url_for("portal.case", case_id=case_id))
    if data["pending_repair"] is not None:  # (its page says where it stands: no second form only to be refused)
        flash(_l("Your credit repair application is being handled:") + " " + data["pending_repair"].number, "info")
        return redirect(url_for("portal.case", case_id=data["pending_repair"].id))
    form = RepairForm()
    if form.validate_on_submit():
        try:
            rep = repair.apply(current_user, case_id, form.correction.data, bool(form.pledge.data),
                               files_sent("files"), files_sent("commitment_files"))
            db.session.commit()
        except repair.OpenRepair as exc:
            db.session.rollback()
            flash(exc.message, "warning")
            return redirect(url_for("portal.case", case_id=case_id))
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_l("Your repair application %(number)s has been filed.", number=rep.number), "success")
            return redirect(url_for("portal.case", case_id=rep.id))
    elif csrf_failed(form):
        flash(FORM_EXPIRED_KEPT, "danger")
    eligible_from = repair.eligible_from(data["case"], data["listing"]) if data["case"].period_start else None
    return render_template("portal/repair.html", form=form, pledge=repair.PLEDGE, eligible_from=eligible_from,
                           to_unit=data["case"].initiating_unit,
                           kept=kept_for(form, ("files", "commitment_files")),
                           not_yet=eligible_from is not None and queries.today() < eligible_from, **data)


@public_bp.route("/")
@limiter.limit(lambda: current_app.config["PUBLIC_SEARCH_RATE_LIMIT"], exempt_when=lambda: not (request.args.get("q") or "").strip())
def lists():
    kind = request.args.get("list", "punishment")
    if kind not in ("punishment", "serious", "reward", "repairs"):
        abort(404)  # (a list that does not exist, not the black list under another name)
    q = (request.args.get("q") or "").strip()[:60] or None
    if kind == "repairs":
        page = repair.published_results(q, page_number(request.args.get("page")))
        return render_template("public/lists.html", page=page, kind=kind, q=q)
    page = queries.public_list(kind, q, page_number(request.args.get("page")))
    return render_template("public/lists.html", page=page, kind=kind, q=q, measures=queries.public_measures(page.items))


@public_bp.route("/typical")
def typical():
    """Typical cases the office published (seed 004 (十九); personal data removed before publication)."""
    page = supervision_services.published_typical(page_number(request.args.get("page")))
    return render_template("public/typical.html", page=page)


# -- staff: access codes printed on the decision ---------------------------------------------------------
staff_bp = Blueprint("rights", __name__)


@staff_bp.route("/cases/<int:case_id>/access-code/<int:subject_id>", methods=["POST"])
@login_required
def issue_access_code(case_id, subject_id):
    case = case_queries.get_case(current_user, case_id)
    try:
        code = accounts.issue_code(current_user, case, subject_id)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        # Shown once, in the section the reader is looking at (the page opens there), beside its subject: a message at
        # the top of the page was out of view and missed. (Kept in the session as a flashed message was, until shown.)
        session["issued_code"] = {"case_id": case_id, "subject_id": subject_id, "code": code}
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="access"))


def take_issued_code(case_id: int) -> dict | None:
    """The access code just issued on this case ({subject_id, code}), once: the page that shows it takes it."""
    issued = session.get("issued_code")
    if not issued or issued.get("case_id") != case_id:
        return None
    return session.pop("issued_code")


def _register_on_paper(case_id: int, form, anchor: str, register, already_open: tuple, done_message):
    """A request the subject made on paper, registered by staff from the case page: form errors and refusals are
    flashed back to the page's section; a request already open (or handled) is opened instead."""
    case_queries.get_case(current_user, case_id)  # (a case the user may not see is no such case)
    typed = {f.name: f.data for f in form if f.type in ("StringField", "TextAreaField", "DateField", "SelectField", "IntegerField")}
    if not form.validate_on_submit():
        for message in (m for errors in form.errors.values() for m in errors):
            flash(message, "danger")
        return detail_with_draft(case_id, anchor, typed)
    try:
        new = register()
        db.session.commit()
    except already_open as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for("cases.detail", case_id=exc.open_case.id))
    except DomainError as exc:
        db.session.rollback()
        for _field, message in exc.errors:
            flash(message, "danger")
        return detail_with_draft(case_id, anchor, typed)
    flash(done_message(new.number), "success")
    return redirect(url_for("cases.detail", case_id=new.id))


@staff_bp.route("/cases/<int:case_id>/objection-on-paper", methods=["POST"])
@login_required
def objection_on_paper(case_id):
    """The unit that made the determination registers a written objection received on paper (seed 001 二(三)2
    书面异议): the subject need not have a portal account."""
    form = PaperObjectionForm()
    return _register_on_paper(
        case_id, form, "paper-objection",
        lambda: objections.file_on_paper(current_user, case_id, form.subject_id.data, form.grounds.data, form.received_on.data,
                                         uploads_from(request.files.getlist("files"))),
        (objections.OpenObjection, objections.ObjectionHandled),
        lambda number: _l("Objection %(number)s registered. The subject's punishment is suspended while it is handled.", number=number))


@staff_bp.route("/cases/<int:case_id>/repair-at-desk", methods=["POST"])
@login_required
def repair_at_desk(case_id):
    """The unit that handled the behaviour registers a credit repair application brought to its desk (seed 003 10
    线下信用修复), with the scans of the evidence and of the signed commitment."""
    form = DeskRepairForm()
    return _register_on_paper(
        case_id, form, "desk-repair",
        lambda: repair.apply_at_desk(current_user, case_id, form.subject_id.data, form.correction.data,
                                     uploads_from(request.files.getlist("files")),
                                     uploads_from(request.files.getlist("commitment_files")), form.received_on.data),
        (repair.OpenRepair,),
        lambda number: _l("Repair application %(number)s registered; it is reviewed as one filed on the portal.", number=number))
