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
    # (built by hand: strftime costs three times as much, on two timestamps of each of a thousand rows)
    if zh:
        return f"{local.year}年{local.month}月{local.day}日 {local.hour:02d}:{local.minute:02d}"
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"


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


class _Words:
    """What a request's rows are written with: labels and phrases in the reader's language, looked up once, and
    the deadlines already formatted (a long timeline repeats the same few)."""

    def __init__(self, units: dict):
        self.zh = str(get_locale()).startswith("zh")
        self.units = units
        self.steps = {k: str(v) for k, v in labels.STEP_LABELS.items()}
        self.rules = {k: str(v) for k, v in labels.DEADLINE_RULE_LABELS.items()}
        self.decisions = {k: str(v) for k, v in labels.DECISION_LABELS.items()}
        self.routes = {k: str(v) for k, v in labels.ROUTE_LABELS.items()}
        self.notices = {k: str(v) for k, v in labels.NOTICE_LABELS.items()}
        self.outcomes = {k: str(v) for k, v in labels.OUTCOME_LABELS.items()}
        self.t = {
            "deadline": _("deadline"), "Reasons": _("Reasons"), "Comment": _("Comment"), "Report": _("Report"),
            "weekends only": _("weekends only"), "met": _("met"), "missed": _("missed"), "period": _("period"),
            "to liaison": _("sent to the unit's liaison"), "paper": _("received on paper"),
            "desk": _("received at the desk"), "received": _("received on"),
            "served on paper": _("reply served on paper on"),
            "period reason": _("Why the period differs from the catalog's"),
            "replaced": _("replaces the code issued earlier, which no longer works"),
            "not acted": _("No joint action on"), "attends": _("will attend"), "absent": _("will not attend"),
            "month": _("Each month (on the 1st)"),
            "quarter": _("Each quarter (on 1 March, 1 June, 1 September, 1 December)"),
            "next": _("next on"), "no_owner": _("the office user who set it no longer works in the office"),
            "cannot_publish": _("the call could not be published again"),
            "major": _("Major dishonest behaviour: the joint meeting determines it"), "group": _("Determining group"),
            "from": _("from %(d)s", d="{d}"), "meeting": _("Meeting date"), "field": _("Field"),
            "reply by": _("reply by %(d)s", d="{d}"), "rows": _("%(n)s rows", n="{n}"),
            "took part": _("Took part"), "convened": _("Convened"), "experts drawn": _("experts drawn"), "experts": _("%(n)s experts", n="{n}"), "Minutes": _("Minutes"),
            "basis retired": _("the catalog entry it was decided under (%(c)s) has been retired", c="{c}"),
            "cannot": _("the unit cannot apply it"),
        }
        self.fields = {k: str(v) for k, v in labels.FIELD_LABELS.items()}
        self.pushes = {k: str(v) for k, v in labels.PUSH_ACTION_LABELS.items()}
        self.took = _("took %(h)s h", h="{h}")
        self._when: dict = {}

    def paren(self, text) -> str:
        """Composed text in brackets, with the language's punctuation (（…） in Chinese, " (…)" in English)."""
        return f"（{text}）" if self.zh else f" ({text})"

    @property
    def comma(self) -> str:
        return "，" if self.zh else ", "

    @property
    def sep(self) -> str:
        return "、" if self.zh else ", "

    def when(self, value) -> str:
        if value not in self._when:
            self._when[value] = _fmt_iso(value, self.zh)
        return self._when[value]

    def day(self, value) -> str:
        return _fmt_iso_date(value, self.zh)


# What an event of a type adds to its row, beside what any event's details say (its task, subject, unit, reasons...).
# Three places in the row: before the way a request came in (paper, desk), after it, and after the outcome.

def _deadline(w: _Words, typ: str, d: dict) -> list:
    if not d.get("due_at"):
        return []
    text = f"{w.t['deadline']} {w.when(d['due_at'])}"
    if typ == "task_created" and d.get("rule"):
        text += w.paren(f"{w.rules.get(d['rule'], d['rule'])}{w.comma}{labels.days_text(d.get('days'), d.get('day_kind'))}")
    if d.get("calendar_fallback"):
        text += f" ⚠ {w.t['weekends only']}"
    parts = [text]
    if typ == "task_created" and d.get("liaison_id"):
        parts.append(w.t["to liaison"])
    return parts


def _task_created(w: _Words, typ: str, d: dict) -> list:
    parts = _deadline(w, typ, d)
    if not d.get("due_at") and d.get("liaison_id"):
        parts.append(w.t["to liaison"])
    return parts


def _task_completed(w: _Words, typ: str, d: dict) -> list:
    if d.get("hours") is None:
        return []
    text = w.took.replace("{h}", str(d["hours"]))
    if d.get("due_at"):
        text += f" · {w.t['deadline']} {w.when(d['due_at'])} · {w.t['met'] if d.get('on_time') else w.t['missed']}"
    return [text]


def _decision(w: _Words, typ: str, d: dict) -> list:
    text = w.decisions.get(d.get("decision"), "")
    if d.get("period_days"):
        text += (f" · {w.t['period']} {w.day(d.get('period_start'))} – {w.day(d.get('period_end'))}"
                 + w.paren(labels.days_text(d['period_days'], 'calendar')))
    if d.get("period_reason"):
        text += f"\n{w.t['period reason']}: {d['period_reason']}"
    if d.get("not_acted"):
        text += f"\n{w.t['not acted']}: {w.sep.join(n['name'] for n in d['not_acted'])}{w.paren(d.get('not_acted_reason', ''))}"
    return [text]


def _repeat(w: _Words, typ: str, d: dict) -> list:
    if d.get("every") not in ("month", "quarter"):
        return []
    text = w.t[d["every"]]
    if d.get("next_on"):
        text += f" · {w.t['next']} {w.day(d['next_on'])}"
    if d.get("reason") in ("no_owner", "cannot_publish"):
        text += f" · {w.t[d['reason']]}"
    return [text]


def _attendance(w: _Words, typ: str, d: dict) -> list:
    return [w.t["attends"] if d["attending"] else w.t["absent"]] if "attending" in d else []


def _access_code(w: _Words, typ: str, d: dict) -> list:
    return [w.t["replaced"]] if d.get("replaced") else []


def _objection_replied(w: _Words, typ: str, d: dict) -> list:
    return [f"{w.t['served on paper']} {w.day(d['served_on'])}"] if d.get("served_on") else []


def _trigger(w: _Words, typ: str, d: dict) -> list:
    return [w.routes.get(d.get("route"), "")]


def _route(w: _Words, typ: str, d: dict) -> list:
    if d.get("major"):
        return [f"{w.t['major']}\n{w.t['Reasons']}: {d.get('reason', '')}"]
    return [f"{w.t['group']}: {d.get('group', '')}"]


def _check_applied(w: _Words, typ: str, d: dict) -> list:
    return [f"{labels.label(labels.MATTER_TYPE_LABELS, d.get('matter_type'))} {d.get('matter_no', '')}: "
            f"{labels.label(labels.CHECK_ACTION_LABELS, d.get('action'))}"]


def _served(w: _Words, typ: str, d: dict) -> list:
    return [labels.label(labels.SERVICE_WAY_LABELS, d.get("way"))]


def _noticed(w: _Words, typ: str, d: dict) -> list:
    return [f"{w.notices.get(d.get('kind'), '')} · {w.day(d.get('on_date'))}: {d.get('text', '')}"]


def _pushed(w: _Words, typ: str, d: dict) -> list:  # (suspend, resume and lift pushes read alike without it)
    action = w.pushes.get(d.get("action"), d.get("action") or "")
    if typ == "push_sent" and d.get("reason") in labels.REWARD_PUSH_REASONS:  # (a reward's: why)
        action += w.paren(str(labels.REWARD_PUSH_REASONS[d["reason"]]).rstrip(".。"))
    # (a unit told to apply a measure that cannot: the confirmation says so, its reasons in the note)
    return [f"{action} · {w.t['cannot']}" if d.get("cannot") else action]


def _suspended_or_resumed(w: _Words, typ: str, d: dict) -> list:
    text = w.t["from"].replace("{d}", w.day(d["from"])) if d.get("from") else ""
    return [f"{text}{w.paren(d['source'])}" if d.get("source") else text]


def _meeting(w: _Words, typ: str, d: dict) -> list:
    return [f"{w.t['meeting']} {w.day(d['meeting_date'])}"] if d.get("meeting_date") else []


def _invited(w: _Words, typ: str, d: dict) -> list:  # (the field and the reply's deadline; not who was drawn)
    parts = [f"{w.t['field']}: {w.fields.get(d['field'], d['field'])}"] if d.get("field") else []
    if d.get("respond_by"):
        parts.append(w.t["reply by"].replace("{d}", w.when(d["respond_by"])))
    return parts


def _listed(w: _Words, typ: str, d: dict) -> list:
    if not d.get("period_start"):
        return []
    return [f"{w.t['period']} {w.day(d['period_start'])} – {w.day(d.get('period_end'))}"
            + (w.paren(labels.days_text(d['period_days'], 'calendar')) if d.get("period_days") else "")]


def _basis_retired(w: _Words, typ: str, d: dict) -> list:
    return [w.t["basis retired"].replace("{c}", d["basis_retired"])] if d.get("basis_retired") else []


def _complaint_hearing(w: _Words, typ: str, d: dict) -> list:
    """The units the office convened to the complaint, the meeting's date, experts drawn."""
    parts = []
    if d.get("hearing_date"):
        parts.append(f"{w.t['meeting']} {w.day(d['hearing_date'])}")
    if d.get("units"):
        parts.append(f"{w.t['convened']}: " + w.sep.join(w.units[u].name for u in d["units"] if u in w.units))
    if d.get("draw_id"):
        parts.append(w.t["experts drawn"])
    return parts


def _complaint_decided(w: _Words, typ: str, d: dict) -> list:
    """Who studied the complaint with the office (seed 001 二(三)2) and the minutes (staff only: the portal shows the
    outcome and reasons)."""
    parts = []
    if d.get("attending_unit_ids"):
        names = w.sep.join(w.units[u].name for u in d["attending_unit_ids"] if u in w.units)
        parts.append(f"{w.t['took part']}: {names}")
    if d.get("attending_experts"):
        parts.append(w.t["experts"].replace("{n}", str(len(d["attending_experts"]))))
    if d.get("minutes"):
        parts.append(f"\n{w.t['Minutes']}: {d['minutes']}")
    return parts


def _reward(w: _Words, typ: str, d: dict) -> list:
    return [_("%(amount)s yuan", amount=f"{d['amount']:,}")] if d.get("amount") else []


_BEFORE_CHANNEL = {"task_created": _task_created, "deadline_reminder": _deadline, "deadline_breached": _deadline,
                   "task_completed": _task_completed, "decision_recorded": _decision,
                   "data_call_repeat_set": _repeat, "data_call_repeat_stopped": _repeat, "data_call_repeated": _repeat,
                   "attendance_answered": _attendance, "access_code_issued": _access_code,
                   "objection_replied": _objection_replied, "push_sent": _pushed, "push_confirmed": _pushed,
                   "punishment_suspended": _suspended_or_resumed, "punishment_resumed": _suspended_or_resumed,
                   "meeting_scheduled": _meeting, "expert_invited": _invited, "listing_started": _listed}
_AFTER_CHANNEL = {"complaint_hearing": _complaint_hearing, "trigger_filed": _trigger, "route_decided": _route, "credit_check_applied": _check_applied,
                  "decision_served": _served, "unit_noticed": _noticed, "determination_revoked": _basis_retired}
_AFTER_OUTCOME = {"report_reward_decided": _reward, "complaint_decided": _complaint_decided}
_TITLED = (("reasons", "Reasons"), ("comment", "Comment"), ("report", "Report"))
_TEXTS = ("summary", "note", "filename", "grounds")


def _details(w: _Words, typ: str, bpmn_id, d: dict) -> str:
    parts = []
    if d.get("task"):
        parts.append(w.steps.get(bpmn_id, d["task"]))
    if isinstance(d.get("subject"), str):  # (a listing's events: whose, in a case of many subjects)
        parts.append(d["subject"])
    if d.get("unit_id") in w.units:
        parts.append(w.units[d["unit_id"]].name)
    if typ in _BEFORE_CHANNEL:
        parts += _BEFORE_CHANNEL[typ](w, typ, d)
    if d.get("channel") in ("paper", "desk"):  # (a request the subject made on paper, recorded by staff)
        text = w.t[d["channel"]]
        if d.get("received_on"):
            text += f"{w.comma}{w.t['received']} {w.day(d['received_on'])}"
        parts.append(text)
    if typ in _AFTER_CHANNEL:
        parts += _AFTER_CHANNEL[typ](w, typ, d)
    if d.get("outcome"):
        parts.append(w.outcomes.get(d["outcome"], d["outcome"]))
    if typ in _AFTER_OUTCOME:
        parts += _AFTER_OUTCOME[typ](w, typ, d)
    for key, title in _TITLED:
        if d.get(key):
            parts.append(f"\n{w.t[title]}: {d[key]}")
    for key in _TEXTS:
        if d.get(key):
            # (a data call's answer: its summary is the number of rows it sent)
            parts.append(w.t["rows"].replace("{n}", d[key]) if typ == "data_submitted" and key == "summary" else f"\n{d[key]}")
    for key in ("timer", "end"):
        if d.get(key):
            parts.append(w.steps.get(bpmn_id, d[key]))
    return " · ".join(p for p in parts if p).replace(" · \n", "\n")


def present(timeline, units: dict) -> list[dict]:
    w = _Words(units)
    event_labels = {k: str(v) for k, v in labels.EVENT_LABELS.items()}
    system = _("System")
    zh = w.zh
    rows = []
    for ev in timeline:
        d = ev.details if isinstance(ev.details, dict) else {}
        typ = ev.type
        rows.append({
            "seq": ev.seq, "at": _fmt(ev.at, zh), "type": typ, "label": event_labels.get(typ, typ),
            "actor": ev.actor_name or system, "system": ev.actor_id is None,
            "unit": ev.unit_name or "", "details": _details(w, typ, ev.bpmn_id, d) if d else "",
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
