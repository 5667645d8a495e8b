"""Administrators edit the decision document's template (HTML/CSS with placeholders) and preview it as PDF."""
import io

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required

from app.auth.models import ADMIN
from app.auth.permissions import require_role
from app.dueprocess import decision_document
from app.dueprocess.forms import TemplateForm
from app.errors import DomainError
from app.extensions import db
from app.form_errors import apply_errors
from app.i18n import lazy_gettext as _l

bp = Blueprint("document_admin", __name__, url_prefix="/admin/documents")


@bp.route("/decision", methods=["GET", "POST"])
@login_required
def decision_template():
    require_role(current_user, ADMIN)
    form = TemplateForm()
    if not form.is_submitted():
        form.body.data = decision_document.current_template()
    if form.preview.data and form.validate():
        try:
            pdf = decision_document.render_pdf(form.body.data, decision_document.sample_context())
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name="preview.pdf")
    elif form.validate_on_submit():
        try:
            decision_document.save_template(current_user, form.body.data, form.reason.data)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_l("The decision template was saved; new decisions use it."), "success")
            return redirect(url_for("document_admin.decision_template"))
    return render_template("dueprocess/template.html", form=form, placeholders=sorted(decision_document.sample_context()))
