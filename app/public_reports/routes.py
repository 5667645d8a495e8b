"""Public pages (no login): report dishonest behaviour, and follow a report with its number and query code."""
from flask import Blueprint, abort, current_app, render_template, request, session
from sqlalchemy.exc import IntegrityError

from app.cases.attachments import uploads_from
from app.errors import DomainError
from app.extensions import db, limiter
from app.form_errors import apply_errors
from app.i18n import lazy_gettext as _l
from app.public_reports import services
from app.public_reports.forms import ReportForm, TrackForm
from forms.fields import renew_submission_key, submission_key_of

bp = Blueprint("public_reports", __name__, url_prefix="/public/reports")


def _count_filed() -> bool:
    """Count one filed report against the address's limit, atomically in the limiter's storage: False when that
    would exceed it. The limit's own check runs before the view, so requests sent together would all pass it;
    counting here, before the commit, lets no more reports be filed than the limit allows."""
    allowed = True
    for lim, args in limiter.context.conditional_deductions.items():  # (the 'filed' limit's items, keyed as it tests them)
        allowed = limiter.limiter.hit(lim.limit, *args, cost=lim.deduction_amount) and allowed
    return allowed


# Two limits per address: reports filed (a form refused for a missing field or a bad code does not count: a citizen
# correcting a typo is not held back), and every submission, filed or not (a script sending refused forms). The first
# is tested before the view (deduct_when: never after it) and counted by the view itself (_count_filed).
@bp.route("/", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REPORT_RATE_LIMIT"], methods=["POST"], scope="public_reports.report.filed",
               deduct_when=lambda _response: False)
@limiter.limit(lambda: current_app.config["REPORT_ATTEMPT_RATE_LIMIT"], methods=["POST"])
def report():
    form = ReportForm()
    posted, key = request.method == "POST", submission_key_of(form)
    if posted and (earlier := services.sent_with(key)) is not None:
        return _sent_before(earlier, key)
    if form.validate_on_submit():
        try:
            case, code = services.submit(form.subject_kind.data, form.subject_name.data, form.subject_code.data, form.content.data,
                                         form.contact_name.data, form.contact.data, uploads_from(request.files.getlist("file"), "file"),
                                         key)
            if not _count_filed():
                db.session.rollback()
                abort(429)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        except IntegrityError:  # the same form sent twice at once: the other request filed it
            db.session.rollback()
            if (earlier := services.sent_with(key)) is None:
                raise
            return _sent_before(earlier, key)
        else:
            if key:  # (this browser may be shown the code again if it sends the same form again: see _sent_before)
                codes = {**session.get(_CODES, {}), key: code}
                session[_CODES] = dict(list(codes.items())[-3:])
            # The same page whatever the report names: nothing here says whether the subject is known.
            return render_template("public_reports/received.html", number=case.number, code=code)
    renew_submission_key(form, posted)
    if posted:
        _file_not_kept(form)
    return render_template("public_reports/report.html", form=form)


def _file_not_kept(form) -> None:
    """A refused report: the file its sender chose is not kept (no account to keep it for, and a browser cannot refill a
    file input), so the form says so by name rather than dropping it unseen."""
    names = [f.filename for f in request.files.getlist("file") if f and f.filename]
    if names:
        message = str(_l("Your report was not sent: choose the file %(names)s again before sending it.", names="、".join(names)))
        if message not in form.file.errors:
            form.file.errors = [*form.file.errors, message]


# The query codes of the last reports this browser filed, by form key: a form sent twice (a double click, a retry after
# a lost answer) shows the code again in the browser that got it first, and only there (the code is kept hashed).
_CODES = "report_codes"


def _sent_before(case, key: str):
    """The page of a report this form filed already: its number, said to be the one filed (a resend with other
    content files nothing new), and its code only to the browser that filed it."""
    code = session.get(_CODES, {}).get(key)
    return render_template("public_reports/received.html", number=case.number, code=code, sent_before=True)


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REPORT_RATE_LIMIT"], methods=["POST"])
def track():
    form, case, not_found = TrackForm(), None, False
    if form.validate_on_submit():
        case = services.track(form.number.data, form.code.data)
        not_found = case is None
    return render_template("public_reports/track.html", form=form, case=case, not_found=not_found)
