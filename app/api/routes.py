"""The exchange API for department systems, /api/v1 (OpenAPI document generated from the schemas). Every call
needs a client token (Authorization: Bearer xl_…) whose scopes allow it; every call is logged; calls are rate
limited per client. Views parse, call one service, commit once; the services are the staff pages' own."""
import io
import logging
import time
from datetime import datetime, timedelta

from flask import current_app, g, request, send_file
from flask_smorest import Blueprint
from marshmallow import ValidationError
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import DataError, InvalidRequestError
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import HTTPException

from app import clock, labels
from app.api import clients, errors
from app.api import schemas as s
from app.api.errors import error
from app.api.models import ApiCall
from app.cases import tasks as task_service
from app.cases.identifiers import mask_code
from app.cases.models import Case, CaseUnit, OpenTask
from app.credit import services as credit
from app.db_errors import CONCURRENCY_ERRORS, UNAVAILABLE_ERRORS, is_concurrency_error, unavailable_reason
from app.errors import Conflict, DomainError, NotFound
from app.exports import XLSX, xlsx_bytes
from app.extensions import db, limiter
from app.i18n import lazy_gettext as _l
from app.listings import queries as listing_queries
from app.listings.models import Listing, Push
from app.pagination import paginate_rows
from app.supervision import services as supervision

checks = Blueprint("api_checks", __name__, url_prefix="/api/v1", description="信用核查 (credit check) and its application record")
pushes = Blueprint("api_pushes", __name__, url_prefix="/api/v1", description="Changes of measures pushed to the unit, and their confirmation")
cases = Blueprint("api_cases", __name__, url_prefix="/api/v1", description="The unit's own cases and open tasks")
lists = Blueprint("api_lists", __name__, url_prefix="/api/v1", description="Black and red lists in the unified exchange format")
BLUEPRINTS = (checks, pushes, cases, lists)
log = logging.getLogger(__name__)


def one_write(view):
    """The view reads, then writes everything it writes with its last statement (the check: its log row and the
    call's log row by one INSERT). On PostgreSQL it then runs without a transaction block: each statement is its own
    transaction, and BEGIN and COMMIT (two of the check's five round trips) are not sent."""
    view._api_one_write = True
    return view


def requires(scope: str):
    """The calling client must hold this scope (the blueprint's before_request found the client)."""
    def decorate(view):
        view._api_scope = scope
        return view
    return decorate


def _requester() -> credit.Requester:
    c = g.api_client
    return credit.Requester(unit_id=c.unit_id, user_id=c.user_id, api_client_id=c.id)


def _domain(exc: DomainError):
    field = exc.errors[0][0] if exc.errors else None
    status, code = (404, "not_found") if isinstance(exc, NotFound) else (400, "bad_request")
    return error(status, code, exc.message, field)


# -- credit check ---------------------------------------------------------------------------------------------
@checks.route("/matter-types", methods=["GET"])
@checks.response(200, s.MatterTypeOut(many=True))
@requires("check")
def matter_types():
    """The kinds of approval matter this city uses"""
    return [{"key": k, "label": labels.label(labels.MATTER_TYPE_LABELS, k)} for k in credit.matter_types()]


@checks.route("/checks", methods=["POST"])
@checks.arguments(s.CheckIn, error_status_code=400)
@checks.response(200, s.AnswerOut)
@requires("check")
@one_write
def create_check(args):
    """Check one subject for an approval matter (logged)"""
    try:
        # the check and its call log in one commit (and one statement): this call sits inside approvals
        answer = credit.check(_requester(), args["code"], args["matter_type"], args["matter_no"],
                              also=_LOG_CALL_ALONG, also_params=_call_params(200))
        g.api_logged = True
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _domain(exc)
    return answer


@checks.route("/checks/<int:check_id>/applications", methods=["POST"])
@checks.arguments(s.ApplicationIn, error_status_code=400)
@checks.response(201, s.ApplicationOut)
@checks.alt_response(404, schema=s.ApiError, description="no such check of the unit")
@checks.alt_response(409, schema=s.ApiError, description="the unit recorded it already for this listing (already_recorded)")
@requires("feedback")
def record_application(args, check_id):
    """Record what the unit did about one listing of a check (its application record)"""
    try:
        row = credit.record_application(_requester(), check_id, args["listing_id"], args["action"], args["note"])
        db.session.commit()
    except Conflict as exc:  # (a retry learns that its first call went through)
        db.session.rollback()
        return error(409, "already_recorded", exc.message, "action")
    except DomainError as exc:
        db.session.rollback()
        return _domain(exc)
    return row


# -- pushes -----------------------------------------------------------------------------------------------
def _push_out(p: Push, measures: dict) -> dict:
    lst = p.listing
    return {"id": p.id, "action": p.action, "reason": p.reason, "created_at": p.created_at, "listing_id": lst.id,
            "subject_name": lst.subject.name, "subject_code": lst.subject.code,
            "case_number": lst.decision_no if lst.source == "department" or not lst.case else lst.case.number, "measures": measures.get(lst.id, [])}


@pushes.route("/pushes", methods=["GET"])
@pushes.response(200, s.PushOut(many=True))
@requires("feedback")
def pending_pushes():
    """Changes the unit has not yet confirmed (suspend, resume or lift its measures for a subject)"""
    rows = db.session.scalars(
        select(Push).options(joinedload(Push.listing).joinedload(Listing.subject), joinedload(Push.listing).joinedload(Listing.case))
        .where(Push.unit_id == g.api_client.unit_id, Push.confirmed_at.is_(None), Push.superseded_at.is_(None)).order_by(Push.id)
    ).all()
    mine = listing_queries.measures_of([p.listing for p in rows], unit_id=g.api_client.unit_id)
    if any(p.action == "lift" for p in rows):  # (a lift names the measures it lifts, which the listing no longer counts)
        lifting = listing_queries.measures_of([p.listing for p in rows if p.action == "lift"], unit_id=g.api_client.unit_id,
                                              lifted_too=True)
        return [_push_out(p, lifting if p.action == "lift" else mine) for p in rows]
    return [_push_out(p, mine) for p in rows]


@pushes.route("/pushes/<int:push_id>/confirmation", methods=["POST"])
@pushes.arguments(s.ConfirmIn, error_status_code=400)
@pushes.response(200, s.PushConfirmedOut)
@pushes.alt_response(404, schema=s.ApiError, description="no such push for the unit")
@pushes.alt_response(409, schema=s.ApiError, description="confirmed already (already_confirmed), or replaced by a newer push (superseded)")
@requires("feedback")
def confirm_push(args, push_id):
    """Confirm that the unit applied a pushed change (completes the unit's confirmation step)"""
    p = db.session.get(Push, push_id)
    if p is None or p.unit_id != g.api_client.unit_id:
        return error(404, "not_found")
    if p.confirmed_at is not None:  # (a retry of a confirmation that went through: the client learns it did)
        return error(409, "already_confirmed", _l("This push was confirmed already (%(at)s).", at=clock.as_utc(p.confirmed_at).isoformat()))
    if p.superseded_at is not None:
        newer = db.session.scalar(select(Push.id).where(Push.listing_id == p.listing_id, Push.unit_id == p.unit_id,
                                                        Push.id > p.id, Push.action != "correct")
                                  .order_by(Push.id.desc()).limit(1))  # (the latest: one between may be replaced too)
        return error(409, "superseded", _l("A newer change replaced this push before it was confirmed: confirm push %(id)s "
                                           "instead.", id=newer or "—"))
    ot = db.session.scalar(select(OpenTask).where(OpenTask.instance_id == p.instance_id))
    if ot is None:
        return error(404, "not_found")
    try:
        task_service.yield_to_system(g.api_client.user, ot.task_id)
        task_service.complete(g.api_client.user, ot.task_id, {"done": not args["cannot"], "cannot": args["cannot"],
                                                              "note": args["note"]})  # confirming is saying it was done
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _domain(exc)
    db.session.refresh(p)
    return {"id": p.id, "confirmed_at": p.confirmed_at}


# -- the unit's cases and tasks ------------------------------------------------------------------------------
@cases.route("/cases", methods=["GET"])
@cases.arguments(s.PageArgs, location="query", error_status_code=400)
@cases.response(200, s.CaseOut(many=True))
@requires("cases-read")
def my_cases(args):
    """Cases the unit takes part in (filed, determines, implements, …), newest first; X-Total-Count gives the total"""
    unit = g.api_client.unit_id
    part_of = select(CaseUnit.case_id).where(CaseUnit.unit_id == unit)
    stmt = select(Case).where(Case.id.in_(part_of)).order_by(Case.created_at.desc(), Case.id.desc())
    page = paginate_rows(stmt, args["page"], args["per_page"], scalars=True)
    g.total_count = page.total
    relations: dict[int, list[str]] = {}
    for case_id, rel in db.session.execute(select(CaseUnit.case_id, CaseUnit.relation).where(
            CaseUnit.unit_id == unit, CaseUnit.case_id.in_([c.id for c in page.items])).order_by(CaseUnit.id)):
        relations.setdefault(case_id, []).append(rel)
    return [{"id": c.id, "number": c.number, "kind": c.kind, "status": c.status, "title": c.title, "created_at": c.created_at,
             "relations": relations.get(c.id, [])} for c in page.items]


@cases.route("/tasks", methods=["GET"])
@cases.arguments(s.PageArgs, location="query", error_status_code=400)
@cases.response(200, s.TaskOut(many=True))
@requires("cases-read")
def my_tasks(args):
    """The unit's open workflow tasks, earliest deadline first, paged as /cases (X-Total-Count gives the total)"""
    stmt = (select(OpenTask, Case.number).join(Case, Case.id == OpenTask.case_id)
            .where(OpenTask.unit_id == g.api_client.unit_id).order_by(OpenTask.due_at, OpenTask.id))
    page = paginate_rows(stmt, args["page"], args["per_page"])
    g.total_count = page.total
    return [{"task_id": t.task_id, "case_id": t.case_id, "case_number": n, "step": t.bpmn_id,
             "name": labels.step(t.bpmn_id, t.name), "due_at": t.due_at} for t, n in page.items]


# -- lists ----------------------------------------------------------------------------------------------------
LIST_KINDS = {"black": "punishment", "red": "reward"}


def _cell(value):
    """A spreadsheet cell: lists joined, times as ISO text (Excel has no time zones)."""
    if isinstance(value, list):
        return "；".join(v if isinstance(v, str) else
                        f"{v['unit']}：{labels.UNIT_MEASURE_STATE_LABELS.get(v['state'], v['state'])}" for v in value)
    if isinstance(value, datetime):
        return clock.as_utc(value).isoformat()
    return value


def _whole_codes(listings) -> set[int]:
    """The listings whose person's identity number this client gets whole: all of them with the lists-identity scope,
    else those where its unit has a measure of its own to apply (minimum necessary: a list of persons is otherwise
    read with masked numbers, and a single person is confirmed by the credit check)."""
    if "lists-identity" in (g.api_client.scopes or []):
        return {lst.id for lst in listings}
    persons = [lst for lst in listings if lst.subject.kind == "person"]
    own = listing_queries.measures_of(persons, unit_id=g.api_client.unit_id) if persons else {}
    return {lst.id for lst in listings if lst.subject.kind != "person" or own.get(lst.id)}


def _entry(lst, measures, whole: set[int], punished: frozenset = frozenset()) -> dict:
    v = lst.catalog_version
    masked = lst.id not in whole
    return {"listing_id": lst.id, "list": "black" if lst.kind == "punishment" else "red", "subject_name": lst.subject.name,
            "subject_kind": lst.subject.kind,
            "subject_code": mask_code(lst.subject.kind, lst.subject.code) if masked else lst.subject.code,
            "subject_code_masked": masked,
            "code_type": "resident_id" if lst.subject.kind == "person" else "uscc",
            "legal_representative": lst.subject.legal_representative, "determined_on": lst.decided_on,
            "reason": v.behaviour if v else "", "grounds": lst.grounds, "legal_basis": lst.legal_basis,
            "entry_code": v.entry.code if v else "", "deciding_unit": lst.deciding_unit.name,
            "case_number": lst.decision_no if lst.source == "department" or not lst.case else lst.case.number,
            "decision_no": lst.decision_no, "source": lst.source, "period_start": lst.period_start,
            "period_end": lst.period_end, "status": lst.status, "ended_on": lst.ended_on, "end_reason": lst.end_reason,
            "serious": bool(lst.serious), "incentives_withheld": lst.kind == "reward" and lst.subject_id in punished,
            "measures": measures.get(lst.id, []),
            "units": [{"unit": lu.unit.name, "state": lu.state, "updated_at": lu.updated_at}
                      for lu in sorted(lst.units, key=lambda lu: lu.unit_id)],
            "updated_at": lst.updated_at}


@lists.route("/lists/<any(black, red):which>", methods=["GET"])
@lists.arguments(s.ListArgs, location="query", error_status_code=400)
@lists.response(200, s.ListOut)
@requires("lists")
def list_as_of(args, which):
    """The black (joint punishment) or red (joint reward) list as of a day, as JSON or XLSX"""
    today = clock.today_local()
    day = args["as_of"] or today
    if day > today:
        return error(400, "bad_request", _l("A list is given for today or a day before: %(d)s is in the future.",
                                            d=day.isoformat()), field="as_of")
    page = listing_queries.listed_on(LIST_KINDS[which], day, today, args["page"], args["per_page"])
    measures = listing_queries.measures_of(page.items)
    whole = _whole_codes(page.items)
    entries = [_entry(lst, measures, whole) for lst in page.items]
    for e in entries:  # (an earlier day's list: each entry was in effect that day, whatever it is now)
        e["status_now"] = e["status"]
        if day < today:
            e["status"] = "in_effect"
    if args["format"] == "xlsx":
        header = list(s.ListedEntryOut().fields)
        rows = [[_cell(e[k]) for k in header] for e in entries]
        return send_file(io.BytesIO(xlsx_bytes(header, rows, title=f"{which}-{day.isoformat()}")), mimetype=XLSX,
                         as_attachment=True, download_name=f"xinlian-{which}-list-{day.isoformat()}.xlsx")
    return {"list": which, "as_of": day, "total": page.total, "page": page.page, "entries": entries}


@lists.route("/lists/<any(black, red):which>/changes", methods=["GET"])
@lists.arguments(s.ChangesArgs, location="query", error_status_code=400)
@lists.response(200, s.ChangesOut)
@requires("lists")
def list_changes(args, which):
    """Entries created or changed since a time (incremental sync): pass `until` as the next `since`"""
    rows = listing_queries.changed_since(LIST_KINDS[which], args["since"], args["limit"], args["after_id"])
    measures = listing_queries.measures_of(rows)
    whole = _whole_codes(rows)
    punished = listing_queries.punished_now([r.subject_id for r in rows if r.kind == "reward"])
    # (rows come oldest change first, then by id: the last one is where the next call goes on)
    until, until_id = (clock.as_utc(rows[-1].updated_at), rows[-1].id) if rows else (clock.as_utc(args["since"]), args["after_id"])
    return {"list": which, "since": args["since"], "until": until, "until_id": until_id,
            "entries": [_entry(r, measures, whole, punished) for r in rows]}


@lists.route("/typical-cases", methods=["GET"])
@lists.arguments(s.TypicalArgs, location="query", error_status_code=400)
@lists.response(200, s.TypicalListOut)
@requires("lists")
def typical_cases(args):
    """Typical cases as published on the public page, newest first (seed 003 8① 典型案例…实时反馈市信用平台)"""
    page = supervision.published_typical(args["page"], args["per_page"])
    return {"total": page.total, "page": page.page, "entries": [
        {"id": t.id, "title": t.published_title, "text": t.published_text, "unit": t.unit.name, "quarter": t.quarter,
         "kind": t.case.kind if t.case else None, "published_at": t.published_at} for t in page.items]}


# -- authentication, scopes and the call log ------------------------------------------------------------------
LAST_USED_PRECISION = timedelta(minutes=1)


def _one_write_without_transaction():
    """A view marked one_write gets its connection in autocommit (PostgreSQL), before anything reads. Once per request
    (the rate limit's key, which reads first, sets it up; the blueprint's hook then finds it done)."""
    if g.get("api_connection_set"):
        return
    g.api_connection_set = True
    view = current_app.view_functions.get(request.endpoint)
    # (a session already in a transaction — a test's, or one that read first — keeps it: the view runs in it)
    if getattr(view, "_api_one_write", False) and db.engine.dialect.name == "postgresql" and not db.session().in_transaction():
        try:
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        except InvalidRequestError:
            pass


def _caller():
    """The client whose token this request carries, verified; looked up once per request: the rate limit (which runs
    first) keys on it and authentication reads it."""
    if "api_caller" not in g:
        _one_write_without_transaction()  # (before the first read, as for the view itself)
        g.api_caller = clients.from_token(_bearer())
    return g.api_caller


def _bearer() -> str | None:
    """The token of an "Authorization: Bearer …" header (the scheme's name in any case, RFC 7235)."""
    scheme, _sp, token = request.headers.get("Authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" else None


def _authenticate():
    g.api_client = _caller()
    if g.api_client is None:
        if clients.awaiting_approval(_bearer()):  # (its holder is told why: not the answer a made-up token gets)
            return error(403, "awaiting_approval")
        return error(401, "unauthorized")
    g.api_client_id = g.api_client.id  # read after the view's commit without reloading the client
    view = request.endpoint and request.blueprint and g.api_client and _view_scope()
    if view and view not in (g.api_client.scopes or []):
        return error(403, "forbidden", details={"scope": view})
    now = clock.now()
    last = g.api_client.last_used_at
    if last is None or now - clock.as_utc(last) > LAST_USED_PRECISION:  # not a write on every call
        g.api_client.mark_used(now)
    return None


def _view_scope():
    fn = current_app.view_functions.get(request.endpoint)
    return getattr(fn, "_api_scope", None)


# Set up once, when this module is imported (blueprints are shared by every app the factory makes).
def _rate_key() -> str:
    # By the client only once its token is verified: keyed by the id a token merely claims, anyone could spend a
    # department system's allowance with made-up tokens naming its (small, sequential) id.
    caller = _caller()
    return f"api-client:{caller.id}" if caller is not None else f"api-address:{request.remote_addr}"


def _field_of(messages) -> str | None:
    """The first field named in webargs' messages ({"json": {"code": [...]}})."""
    if isinstance(messages, dict):
        for value in messages.values():
            if isinstance(value, dict) and value:
                return next(iter(value))
    return None


def _json_errors(bp) -> None:
    # Handlers by status code as well: the app's own code handlers (HTML pages) would otherwise come first.
    def http_error(exc):
        messages = (getattr(exc, "data", None) or {}).get("messages")
        if exc.code in (400, 422) and messages:  # webargs: the body or query does not match the schema
            field = _field_of(messages)
            return errors.error(400, "bad_request", errors.schema_message(field, messages), field, details=messages)
        if exc.code == 429:
            return errors.error(429, "rate_limited")
        code = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
        return errors.error(exc.code or 500, code.get(exc.code, "bad_request"))

    bp.register_error_handler(HTTPException, http_error)
    for status in (400, 401, 403, 404, 405, 413, 422, 429):
        bp.register_error_handler(status, http_error)

    @bp.errorhandler(ValidationError)
    def invalid(exc):
        field = _field_of({"x": exc.messages})
        return errors.error(400, "bad_request", errors.schema_message(field, exc.messages), field=field, details=exc.messages)

    @bp.errorhandler(DomainError)
    def domain(exc):
        db.session.rollback()
        return _domain(exc)

    @bp.errorhandler(Exception)
    def unexpected(exc):
        db.session.rollback()
        if isinstance(exc, RecursionError):  # a JSON body nested too deeply to parse
            return errors.error(400, "bad_request")
        if isinstance(exc, CONCURRENCY_ERRORS) and is_concurrency_error(exc):
            return errors.error(409, "conflict")
        if isinstance(exc, UNAVAILABLE_ERRORS):  # the database cannot be reached
            log.warning("database unavailable: %s %s: %s", request.method, request.path, unavailable_reason(exc))
            resp = errors.error(503, "unavailable")
            resp.headers["Retry-After"] = "60"
            return resp
        if isinstance(exc, (OverflowError, DataError)):  # a number larger than the database holds (SQLite, PostgreSQL)
            return errors.error(404, "not_found") if request.method in ("GET", "HEAD") else errors.error(400, "bad_request")
        log.exception("API call failed: %s %s", request.method, request.path)
        return errors.error(500, "server_error")


def _call_row(status: int) -> ApiCall:
    client_id = g.get("api_client_id")
    if client_id is None and status == 429:  # refused before authentication: still the client's call
        client = g.get("api_caller")
        client_id = client.id if client is not None else None
    started = g.get("api_started_monotonic")
    return ApiCall(client_id=client_id, method=request.method, path=request.full_path.rstrip("?")[:300], status=status,
                   ms=int((time.monotonic() - started) * 1000) if started else 0, address=request.remote_addr)


# The call log's INSERT with parameters named apart from other tables' columns (it is written inside the check's
# own INSERT statement); built once.
_LOG_CALL_ALONG = insert(ApiCall.__table__).values(
    {c: bindparam(f"call_{c}") for c in ("client_id", "at", "method", "path", "status", "ms", "address")})


def _call_params(status: int) -> dict:
    """Parameters of _LOG_CALL_ALONG for this call (logged with the view's own changes, committed together; the
    after-request log then skips it)."""
    row = _call_row(status)
    return {"call_client_id": row.client_id, "call_at": clock.now(), "call_method": row.method, "call_path": row.path,
            "call_status": row.status, "call_ms": row.ms, "call_address": row.address}


def _log_call(response):
    if not (g.get("api_logged") and response.status_code < 400):
        try:
            db.session.add(_call_row(response.status_code))
            db.session.commit()
        except Exception:  # noqa: BLE001  (the call's answer stands even if its log line cannot be written)
            db.session.rollback()
    if getattr(g, "total_count", None) is not None:
        response.headers["X-Total-Count"] = str(g.total_count)
    return response


def _start_clock():
    g.api_started_monotonic = time.monotonic()



for _bp in BLUEPRINTS:
    _bp.before_request(_start_clock)
    _bp.before_request(_one_write_without_transaction)
    _bp.before_request(_authenticate)
    _json_errors(_bp)
    _bp.after_request(_log_call)
    # (one allowance per client across every endpoint: a per-route limit gave a client 600 calls a minute per endpoint)
    limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], scope="api", key_func=_rate_key)(_bp)
