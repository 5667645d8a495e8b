"""Supervision pages: every case with its status, current steps and days overdue; overdue work by unit
and step; notices and summons; the dashboard, monthly reports, exports and typical cases."""

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import clock
from app.auth.permissions import require_role
from app.cases import hooks, queries
from app.errors import DomainError, PermissionDenied
from app.exports import XLSX
from app.extensions import db
from app.form_errors import flash_form_errors
from app.i18n import lazy_gettext as _l
from app.labels import STATUS_LABELS, label, step
from app.pagination import page_number
from app.security_log import services as security_log
from app.supervision import monitoring, services
from app.supervision import reports as report_service
from app.supervision.forms import EnterpriseCountForm, NoticeForm
from app.supervision.monitoring import Period

bp = Blueprint("supervision", __name__, url_prefix="/supervision")


def _overview_page(page: int, per_page: int = 25):
    return queries.supervision_overview(
        current_user,
        status=request.args.get("status") or None,
        kind=request.args.get("kind") or None,
        overdue_only=request.args.get("overdue") == "1",
        page=page,
        per_page=per_page,
    )


@bp.route("/")
@login_required
def overview():
    page = _overview_page(page_number(request.args.get("page")))
    case_ids = [row[0].id for row in page.items]
    return render_template(
        "supervision/overview.html",
        page=page,
        tasks=queries.open_tasks_for(case_ids),
        subjects=queries.subjects_for(case_ids),
        notes=hooks.list_notes(case_ids),
    )


@bp.route("/sla")
@login_required
def sla():
    return _sla_page(NoticeForm())


def _sla_page(form, kept: dict | None = None):
    """`kept`: a notice the service or the form refused, shown again in its unit's row, open, as it was typed."""
    return render_template(
        "supervision/sla.html", by_unit=services.overdue_by_unit(current_user), by_step=services.overdue_by_step(current_user),
        form=form, notices=services.all_notices(current_user), unserved=services.unserved_decisions(current_user),
        service_days=current_app.config["DECISION_SERVICE_DAYS"], today=clock.today_local(), kept=kept,
    )


@bp.route("/notices", methods=["POST"])
@login_required
def issue_notice():
    form = NoticeForm()
    if form.validate_on_submit():
        try:
            n = services.issue(current_user, form.unit_id.data, form.kind.data, form.text.data, form.on_date.data)
            db.session.commit()
            flash(_l("Issued to %(unit)s; it is on the timelines of %(n)s cases.", unit=n.unit.name, n=len(n.cases)), "success")
            return redirect(url_for("supervision.sla"))
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
    else:
        flash_form_errors(form)
    # (refused: the page again with what was typed, in its unit's row, open; nothing is lost to a redirect)
    kept = {"unit_id": request.form.get("unit_id", type=int), "kind": request.form.get("kind") or "",
            "on_date": request.form.get("on_date") or "", "text": request.form.get("text") or ""}
    return _sla_page(form, kept)


@bp.route("/my-notices", methods=["GET", "POST"])
@login_required
def my_notices():
    if request.method == "POST":
        try:
            services.acknowledge(current_user, request.form.get("notice_id", type=int))
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        return redirect(url_for("supervision.my_notices"))
    return render_template("supervision/my_notices.html", notices=services.notices_for_unit(current_user))


@bp.route("/dashboard")
@login_required
def dashboard():
    require_role(current_user, *services.MONITORS)
    d = monitoring.current_dashboard()
    charts = {  # labelled here (translated, step names not BPMN ids), drawn by static/dashboard.js
        "status": [[label(STATUS_LABELS, s), n] for s, n in d["by_status"]],
        "group": [[g or str(_l("Joint-meeting office")), n] for g, n in d["by_group"]],
        "month": [[m, n] for m, n in d["by_month"]],
        "unit": [[u, n] for u, n in d["by_unit"]],
        "steps": [[step(r["bpmn_id"], r["bpmn_id"]), r["avg"], r["p90"]] for r in d["step_times"]],
        "ontime": [[r["unit"], r["rate"]] for r in d["on_time"]],
        "words": {"average": str(_l("Average")), "p90": str(_l("90th percentile"))},
    }
    form = EnterpriseCountForm() if current_user.role == "admin" else None
    return render_template("supervision/dashboard.html", d=d, charts=charts, count_form=form)


@bp.route("/registered-enterprises", methods=["POST"])
@login_required
def registered_enterprises():
    """An administrator enters the registered-enterprise figure (the serious-dishonesty share's denominator)."""
    require_role(current_user, "admin")
    form = EnterpriseCountForm()
    if form.validate_on_submit():
        try:
            monitoring.set_enterprise_count(current_user, form.count.data, form.as_of.data, form.source.data)
            db.session.commit()
            flash(_l("Saved."), "success")
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
    else:
        flash_form_errors(form)
    return redirect(url_for("supervision.dashboard"))


@bp.route("/reports", methods=["GET", "POST"])
@login_required
def reports():
    require_role(current_user, *services.MONITORS)
    if request.method == "POST":
        try:
            period = Period.parse(request.form.get("month") or report_service.previous_month())
            report_service.generate(period.name, current_user)
            db.session.commit()
            flash(_l("The report for %(period)s was generated (PDF and XLSX, below).", period=period.name), "success")
            if clock.now() < period.end:
                flash(_l("Its period is not over: the figures are those so far."), "info")
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        return redirect(url_for("supervision.reports"))
    return render_template("supervision/reports.html", reports=report_service.recent(),
                           default_month=report_service.previous_month())


@bp.route("/reports/<int:report_id>")
@login_required
def download_report(report_id):
    require_role(current_user, *services.MONITORS)
    r = report_service.get(report_id) or abort(404)
    return report_service.download(r)


@bp.route("/export.<fmt>")
@login_required
def export(fmt):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    page = _overview_page(1, per_page=100_000)
    ids = [c.id for c, _due in page.items]
    tasks, subjects = queries.open_tasks_for(ids), queries.subjects_for(ids)

    def more(rows) -> str:
        return f"；另有{rows.more}项" if rows.more else ""

    rows = report_service.export_rows(
        [(c, due, "；".join(step(t.bpmn_id, t.name) + (f"（{t.unit.name}）" if t.unit else "") for t in tasks[c.id]) + more(tasks[c.id]),
          "、".join(s.name for s in subjects[c.id]) + more(subjects[c.id]))
         for c, due in page.items], dates=fmt == "xlsx")
    header = ["案件编号", "标题", "类型", "状态", "申报单位", "当事主体", "当前环节（承办单位）", "最早办理时限", "超期工作日"]
    security_log.record_export(current_user, request.remote_addr, "case_list", len(rows), fmt)
    if fmt == "csv":
        return Response(report_service.to_csv(header, rows), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=cases.csv"})
    return Response(report_service.to_xlsx(header, rows), mimetype=XLSX,
                    headers={"Content-Disposition": "attachment; filename=cases.xlsx"})


@bp.route("/typical", methods=["GET", "POST"])
@login_required
def typical():
    require_role(current_user, "caseworker", "group_lead", "office", "supervisor", "admin")
    entered = {}
    if request.method == "POST":
        entered = {k: request.form.get(k, "") for k in ("case_number", "title", "summary")}
        try:
            services.register_typical(current_user, entered["case_number"], entered["summary"], entered["title"])
            db.session.commit()
            flash(_l("Typical case registered."), "success")
            return redirect(url_for("supervision.typical"))
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")  # the form is shown again with what was typed
    return _typical_page(entered)


def _typical_page(entered: dict, kept: dict | None = None):
    """`kept`: what the office typed to publish or take off one typical case, refused: shown again in its entry, open."""
    quota = monitoring.typical_quota()
    everyone = services.typical_of_quarter(quota["quarter"]) if current_user.role in services.VIEWERS else []
    return render_template("supervision/typical.html", quota=quota, mine=services.typical_of_unit(current_user), everyone=everyone,
                           entered=entered, kept=kept or {})


@bp.route("/typical/<int:typical_id>/publish", methods=["POST"])
@login_required
def publish_typical(typical_id):
    """The office publishes a typical case on the public page (text cleared of personal data)."""
    def publish():
        _t, masked = services.publish_typical(current_user, typical_id, request.form.get("title", ""),
                                              request.form.get("text", ""))
        db.session.commit()
        flash(_l("Published on the public page of typical cases."), "success")
        if masked:
            flash(_l("Natural persons are shown as on the public lists: %(names)s.",
                     names="、".join(f"{n} → {services.mask_person(n)}" for n in masked)), "info")

    return _office_typical_action(typical_id, publish)


@bp.route("/typical/<int:typical_id>/withdraw", methods=["POST"])
@login_required
def withdraw_typical(typical_id):
    """The office takes a published typical case off the public page, with its reason."""
    def withdraw():
        services.withdraw_typical(current_user, typical_id, request.form.get("reason", ""))
        db.session.commit()
        flash(_l("Taken off the public page of typical cases."), "success")

    return _office_typical_action(typical_id, withdraw)


def _office_typical_action(typical_id: int, action):
    """Run the office's action on a typical case; a refusal is said at the top of the page, and what was typed is kept
    in the case's entry, open."""
    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        if isinstance(exc, PermissionDenied):
            raise
        flash(exc.message, "danger")
        kept = {k: request.form.get(k, "") for k in ("title", "text", "reason")}
        return _typical_page({}, dict(kept, id=typical_id, withdraw="reason" in request.form))
    return redirect(url_for("supervision.typical", _anchor=f"typical-{typical_id}"))