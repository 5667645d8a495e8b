"""Template filters and globals: local times the Chinese way, labels, masked codes, deadline badges."""
import json
import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from flask import current_app, g, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from app import clock, labels
from app.cases.identifiers import mask_code, mask_ids_in_text, mask_person
from app.dates import show_date
from app.engine import heartbeats
from app.i18n import lazy_gettext as _l
from app.workdays import rules
from app.workdays.services import working_days_late, working_days_overdue, years_without_schedule


def fmt_dt(value: datetime | None) -> str:
    if value is None:
        return ""
    local = clock.as_utc(value).astimezone(clock.LOCAL_TZ)
    if str(get_locale()).startswith("zh"):
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    return local.strftime("%Y-%m-%d %H:%M")


fmt_date = show_date  # (domain messages write days the same way: app.dates)


def fmt_dt_iso(value: str | None) -> str:
    if not value:
        return ""
    try:
        return fmt_dt(datetime.fromisoformat(value))
    except ValueError:
        return value


def deadline_basis(task) -> dict | None:
    """How a task's due date was counted (older tasks without a stored basis: their rule as it is now)."""
    if getattr(task, "deadline_basis", None):
        return task.deadline_basis
    if not getattr(task, "deadline_rule", None):
        return None
    rule = rules.current().get(task.deadline_rule, {})
    return {"rule": task.deadline_rule, "days": task.deadline_days, "day_kind": rule.get("day_kind", "working"),
            "source": rule.get("source", ""), "holidays": [], "workdays": [], "fallback": task.calendar_fallback}


def rule_text(basis: dict | None, with_source: bool | None = None) -> str:
    """'Pre-review deadline: 5 working days (local default, configurable)'; applicants get no source (an
    internal configuration note means nothing to them)."""
    if not basis:
        return ""
    if with_source is None:
        with_source = not (current_user.is_authenticated and current_user.role == "applicant")
    if not with_source:
        return str(_l("%(rule)s: %(days)s", rule=labels.label(labels.DEADLINE_RULE_LABELS, basis["rule"]),
                      days=labels.days_text(basis["days"], basis.get("day_kind"))))
    return str(
        _l(
            "%(rule)s: %(days)s (%(source)s)",
            rule=labels.label(labels.DEADLINE_RULE_LABELS, basis["rule"]),
            days=labels.days_text(basis["days"], basis.get("day_kind")),
            source=labels.source_text(basis.get("source")),
        )
    )


def rule_days(name: str) -> str:
    """A rule's length as the administrators set it now ("60 calendar days", "5 working days"), for pages that tell
    people how long they have."""
    if "rules_now" not in g:  # (read once per request: a page may give several lengths)
        g.rules_now = rules.current()
    rule = g.rules_now.get(name) or {}
    return str(labels.days_text(rule.get("days"), rule.get("day_kind")))


def holiday_name(name: str) -> str:
    return str(labels.HOLIDAY_LABELS.get(name, name))


def fmt_iso_date(value: str | None) -> str:
    if not value:
        return ""
    try:
        return fmt_date(date.fromisoformat(value))
    except ValueError:
        return value


def due_state(due_at: datetime | None) -> str | None:
    """overdue | soon | None, from the stored deadline (the sweep records breaches; this only colours)."""
    if due_at is None:
        return None
    now = clock.now()
    due_at = clock.as_utc(due_at)
    if due_at < now:
        return "overdue"
    if (due_at - now).total_seconds() < current_app.config["DUE_SOON_DAYS"] * 86400:
        return "soon"
    return None


def query_args(*taken: str) -> dict:
    """The request's query values to carry into a link: not those url_for reads as its own arguments (endpoint,
    _method, _anchor, ...), nor the URL's path variables, nor what the link sets itself (`taken`), any of which a
    crafted query would otherwise turn into an error."""
    reserved = {"endpoint", *taken, *(request.view_args or {})}
    return {k: v for k, v in request.args.to_dict().items() if k not in reserved and not k.startswith("_")}


def url_with(**changes) -> str:
    args = query_args()
    args.update({k: v for k, v in changes.items() if v is not None})
    for k, v in changes.items():
        if v is None:
            args.pop(k, None)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


@lru_cache(maxsize=4)
def _bpmn_statuses(bpmn_dir: str) -> frozenset:
    """The case statuses the flows can name (their "case_status" properties); older statuses of cases started
    on earlier process versions stay findable through the case list's search."""
    found = set()
    for path in Path(bpmn_dir).glob("*.bpmn"):
        found.update(re.findall(r'name="case_status" value="([a-z_]+)"', path.read_text(encoding="utf-8")))
    return frozenset(found)


def status_choices() -> list[tuple[str, str]]:
    """Status filter options: only statuses a case can reach, in the label table's order."""
    reachable = _bpmn_statuses(current_app.config["BPMN_DIR"])
    return [(k, str(v)) for k, v in labels.STATUS_LABELS.items() if k in reachable]


def calendar_warning() -> list[int]:
    """Years (this and next) without a holiday schedule: shown to administrators and the office."""
    if not current_user.is_authenticated or current_user.role not in ("admin", "office"):
        return []
    return years_without_schedule(clock.today_local())


def scheduler_status():
    """When the timers were last swept (administrators, the office and supervisors see it)."""
    return heartbeats.status(timedelta(seconds=current_app.config["SCHEDULER_STALE_SECONDS"]))


def nav_menu() -> Markup:
    """The navigation menu, rendered once per role, language and script root and then reused (it was ~20
    url_for and ~20 translations on every page). It depends on nothing else: the user's name, unit and the
    logout form are rendered by base.html on every page."""
    authenticated = bool(current_user.is_authenticated)
    role = current_user.role if authenticated else None
    key = (role, str(get_locale()), request.script_root)
    cache = current_app.extensions.setdefault("xinlian_nav_menu", {})
    html = None if current_app.debug else cache.get(key)  # (debug: templates are being edited)
    if html is None:
        html = cache[key] = Markup(current_app.jinja_env.get_template("_nav_menu.html").render(
            role=role, authenticated=authenticated))
    return html


def form_draft(key: str) -> dict:
    """What was typed into the page's form `key` when it was just refused (cases.routes.detail_with_draft), or {}."""
    draft = g.get("form_draft") or {}
    return draft if draft.get("key") == key else {}


def fmt_quarter(value) -> str:
    """2026-Q4 as the reader says it (2026年第4季度); anything else as it is."""
    year, _, q = str(value or "").partition("-Q")
    return str(_l("%(year)s Q%(q)s", year=year, q=q)) if year.isdigit() and q.isdigit() else str(value or "")


def register(app) -> None:
    app.jinja_env.filters["quarter"] = fmt_quarter
    app.jinja_env.filters["dt"] = fmt_dt
    app.jinja_env.filters["d"] = fmt_date
    app.jinja_env.filters["dt_iso"] = fmt_dt_iso
    app.jinja_env.filters["d_iso"] = fmt_iso_date
    app.jinja_env.filters["mask_ids"] = mask_ids_in_text
    app.jinja_env.filters["readable_json"] = lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True)
    app.jinja_env.globals.update(
        labels=labels,
        label=labels.label,
        mask_code=mask_code,
        mask_person=mask_person,
        form_draft=form_draft,
        due_state=due_state,
        days_overdue=working_days_overdue,
        working_days_late=working_days_late,
        url_with=url_with,
        query_args=query_args,
        rule_text=rule_text,
        rule_days=rule_days,
        deadline_basis=deadline_basis,
        holiday_name=holiday_name,
        source_text=labels.source_text,
        status_choices=status_choices,
        step=labels.step,
        calendar_warning=calendar_warning,
        nav_menu=nav_menu,
        scheduler_status=scheduler_status,
        current_locale=lambda: str(get_locale()),
        # Punctuation around composed text: full-width in Chinese, ASCII in English (“（已暂停）” / “ (suspended)”).
        lp=lambda: "（" if str(get_locale()).startswith("zh") else " (",
        rp=lambda: "）" if str(get_locale()).startswith("zh") else ")",
        list_sep=lambda: "，" if str(get_locale()).startswith("zh") else ", ",
        _l=_l,
    )
