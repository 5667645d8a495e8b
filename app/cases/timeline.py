"""The case timeline as display rows, formatted once per request in Python. A case can carry thousands of
events; formatting them in the template (a translation lookup and an include per row) cost ~100 ms at
1,000 events, this costs a few."""
from datetime import date, datetime

from flask_babel import get_locale
from markupsafe import Markup, escape

from app import clock, labels
from app.i18n import gettext as _


def _fmt(dt: datetime, zh: bool) -> str:
    local = clock.as_utc(dt).astimezone(clock.LOCAL_TZ)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}" if zh else local.strftime("%Y-%m-%d %H:%M")


def _fmt_iso(value, zh: bool) -> str:
    try:
        return _fmt(datetime.fromisoformat(value), zh)
    except (TypeError, ValueError):
        return str(value or "")


def _fmt_iso_date(value, zh: bool) -> str:
    try:
        d = date.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value or "")
    return f"{d.year}年{d.month}月{d.day}日" if zh else d.isoformat()


def present(timeline, units: dict) -> list[dict]:
    zh = str(get_locale()).startswith("zh")
    event_labels = {k: str(v) for k, v in labels.EVENT_LABELS.items()}
    steps = {k: str(v) for k, v in labels.STEP_LABELS.items()}
    rules = {k: str(v) for k, v in labels.DEADLINE_RULE_LABELS.items()}
    decisions = {k: str(v) for k, v in labels.DECISION_LABELS.items()}
    routes = {k: str(v) for k, v in labels.ROUTE_LABELS.items()}
    notices = {k: str(v) for k, v in labels.NOTICE_LABELS.items()}
    outcomes = {k: str(v) for k, v in labels.OUTCOME_LABELS.items()}
    t = {"deadline": _("deadline"), "Reasons": _("Reasons"), "Comment": _("Comment"), "Report": _("Report"),
         "weekends only": _("weekends only"), "met": _("met"), "missed": _("missed"), "System": _("System"),
         "period": _("period"), "days": _("days"),
         "to liaison": _("sent to the unit's liaison"), "paper": _("received on paper"), "desk": _("received at the desk"),
         "received": _("received on"), "served on paper": _("reply served on paper on"),
         "period reason": _("Why the period differs from the catalog's"),
         "replaced": _("replaces the code issued earlier, which no longer works"),
         "not acted": _("No joint action on"), "attends": _("will attend"), "absent": _("will not attend"),
         "month": _("Each month (on the 1st)"), "quarter": _("Each quarter (on 1 March, 1 June, 1 September, 1 December)"),
         "next": _("next on"), "no_owner": _("the office user who set it no longer works in the office"),
         "cannot_publish": _("the call could not be published again")}
    took = _("took %(h)s h", h="{h}")
    route_words = {"major": _("Major dishonest behaviour: the joint meeting determines it"), "reason": _("Reasons"),
                   "group": _("Determining group")}
    rows = []
    for ev in timeline:
        d = ev.details if isinstance(ev.details, dict) else {}
        parts = []
        if d.get("task"):
            parts.append(steps.get(ev.bpmn_id, d["task"]))
        if isinstance(d.get("subject"), str):  # (a listing's events: whose, in a case of many subjects)
            parts.append(d["subject"])
        if d.get("unit_id") in units:
            parts.append(units[d["unit_id"]].name)
        if ev.type in ("task_created", "deadline_reminder", "deadline_breached") and d.get("due_at"):
            text = f"{t['deadline']} {_fmt_iso(d['due_at'], zh)}"
            if ev.type == "task_created" and d.get("rule"):
                text += f"（{rules.get(d['rule'], d['rule'])}，{labels.days_text(d.get('days'), d.get('day_kind'))}）"
            if d.get("calendar_fallback"):
                text += f" ⚠ {t['weekends only']}"
            parts.append(text)
        if ev.type == "task_created" and d.get("liaison_id"):
            parts.append(t["to liaison"])
        if ev.type == "task_completed" and d.get("hours") is not None:
            text = took.replace("{h}", str(d["hours"]))
            if d.get("due_at"):
                text += f" · {t['deadline']} {_fmt_iso(d['due_at'], zh)} · {t['met'] if d.get('on_time') else t['missed']}"
            parts.append(text)
        if ev.type == "decision_recorded":
            text = decisions.get(d.get("decision"), "")
            if d.get("period_days"):
                text += f" · {t['period']} {_fmt_iso_date(d.get('period_start'), zh)} – {_fmt_iso_date(d.get('period_end'), zh)}（{labels.days_text(d['period_days'], 'calendar')}）"
            if d.get("period_reason"):
                text += f"\n{t['period reason']}: {d['period_reason']}"
            if d.get("not_acted"):
                text += f"\n{t['not acted']}: {'、'.join(n['name'] for n in d['not_acted'])}（{d.get('not_acted_reason', '')}）"
            parts.append(text)
        if ev.type in ("data_call_repeat_set", "data_call_repeat_stopped", "data_call_repeated") and d.get("every") in ("month", "quarter"):
            text = t[d["every"]]
            if d.get("next_on"):
                text += f" · {t['next']} {_fmt_iso_date(d['next_on'], zh)}"
            if d.get("reason") in ("no_owner", "cannot_publish"):
                text += f" · {t[d['reason']]}"
            parts.append(text)
        if ev.type == "attendance_answered" and "attending" in d:
            parts.append(t["attends"] if d["attending"] else t["absent"])
        if ev.type == "access_code_issued" and d.get("replaced"):
            parts.append(t["replaced"])
        if ev.type == "objection_replied" and d.get("served_on"):
            parts.append(f"{t['served on paper']} {_fmt_iso_date(d['served_on'], zh)}")
        if d.get("channel") in ("paper", "desk"):  # (a request the subject made on paper, recorded by staff)
            text = t[d["channel"]]
            if d.get("received_on"):
                text += f"，{t['received']} {_fmt_iso_date(d['received_on'], zh)}"
            parts.append(text)
        if ev.type == "trigger_filed":
            parts.append(routes.get(d.get("route"), ""))
        if ev.type == "route_decided":
            if d.get("major"):
                parts.append(f"{route_words['major']}\n{route_words['reason']}: {d.get('reason', '')}")
            else:
                parts.append(f"{route_words['group']}: {d.get('group', '')}")
        if ev.type == "credit_check_applied":
            parts.append(f"{labels.label(labels.MATTER_TYPE_LABELS, d.get('matter_type'))} {d.get('matter_no', '')}: "
                         f"{labels.label(labels.CHECK_ACTION_LABELS, d.get('action'))}")
        if ev.type == "decision_served":
            parts.append(labels.label(labels.SERVICE_WAY_LABELS, d.get("way")))
        if ev.type == "unit_noticed":
            parts.append(f"{notices.get(d.get('kind'), '')} · {d.get('on_date', '')}: {d.get('text', '')}")
        if d.get("outcome"):
            parts.append(outcomes.get(d["outcome"], d["outcome"]))
        if ev.type == "report_reward_decided" and d.get("amount"):
            parts.append(_("%(amount)s yuan", amount=f"{d['amount']:,}"))
        for key, title in (("reasons", "Reasons"), ("comment", "Comment"), ("report", "Report")):
            if d.get(key):
                parts.append(f"\n{t[title]}: {d[key]}")
        for key in ("summary", "note", "filename", "grounds"):
            if d.get(key):
                parts.append(f"\n{d[key]}")
        for key in ("timer", "end"):
            if d.get(key):
                parts.append(steps.get(ev.bpmn_id, d[key]))
        rows.append({
            "seq": ev.seq, "at": _fmt(ev.at, zh), "type": ev.type, "label": event_labels.get(ev.type, ev.type),
            "actor": ev.actor_name or t["System"], "system": ev.actor_id is None,
            "unit": ev.unit_name or "", "details": " · ".join(p for p in parts if p).replace(" · \n", "\n"),
            "bpmn_id": ev.bpmn_id or "",
        })
    return rows


def rows_html(rows: list[dict]) -> Markup:
    """The table body, escaped here: a Jinja loop over thousands of rows is the slowest part of the page."""
    out = []
    for r in rows:
        cls = ' class="table-danger"' if r["type"] == "deadline_breached" else (' class="table-warning"' if r["type"] == "deadline_reminder" else "")
        who = (f'<span class="text-muted">{escape(r["actor"])}</span>' if r["system"]
               else f'{escape(r["actor"])}<div class="small text-muted">{escape(r["unit"])}</div>')
        out.append(
            f'<tr data-bpmn-id="{escape(r["bpmn_id"])}"{cls}><td>{r["seq"]}</td><td class="text-nowrap">{escape(r["at"])}</td>'
            f'<td>{escape(r["label"])}</td><td>{who}</td><td class="details">{escape(r["details"])}</td></tr>'
        )
    return Markup("\n".join(out))
