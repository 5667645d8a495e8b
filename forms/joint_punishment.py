"""Forms for the user tasks of bpmn/joint_punishment.bpmn. They check shape (required, lengths, choices);
the services check the domain rules again, so a form is never the only guard."""
import re
from datetime import date

from flask import current_app
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, DateField, FieldList, HiddenField, IntegerField, MultipleFileField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app import clock
from app.cases.models import CaseEvent, CaseSubject, Subject
from app.cases.queries import unit_measure_texts
from app.dates import PlausibleDate
from app.dueprocess.services import stated_notices
from app.enums import EventType
from app.experts.convocation import convened_of
from app.experts.services import active_experts, confirmed_experts
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.joint.tasks import default_period_days, intended_decision, measure_choices, units_to_convene
from app.labels import FIELD_LABELS
from app.listings.models import Listing
from forms.fields import MultiCheckboxField, choices


class TaskForm(FlaskForm):
    """Base of the task forms. The task's engine id is in the URL: a form for a task that is no longer
    open (done by someone else meanwhile) is refused by the service."""

    has_files = False
    # A decision that cannot be taken back: the page asks for confirmation once the form is complete.
    irreversible = False
    # What the person doing the task must read first (shown above the form), e.g. why a filing was returned.
    notice_title = notice = None

    def prepare(self, case, units) -> None:
        """Fill dynamic choices from the case (override where needed)."""

    def values(self) -> dict:
        files = {f.name for f in self if f.type in ("MultipleFileField", "FileField")}
        return {k: v for k, v in self.data.items() if k != "csrf_token" and k not in files}


class PreReviewForm(TaskForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=choices([("accept", _l("Accept for determination")), ("return", _l("Return to the caseworker for amendment"))]),
        validators=[InputRequired(message=_l("Choose accept or return."))],
    )
    reasons = TextAreaField(_l("Reasons (required when returning)"), validators=[Optional(), Length(max=4000)])


class AmendTriggerForm(TaskForm):
    has_files = True
    facts = TextAreaField(_l("Facts"), validators=[DataRequired(message=_l("Describe the facts.")), Length(max=20000)])
    legal_basis = TextAreaField(
        _l("Legal basis"), validators=[DataRequired(message=_l("Give the legal basis.")), Length(max=4000)]
    )
    comment = TextAreaField(_l("What was amended"), validators=[Optional(), Length(max=4000)])
    files = MultipleFileField(_l("Additional evidence"))

    def prepare(self, case, units) -> None:
        if not self.is_submitted():
            self.facts.data = case.facts
            self.legal_basis.data = case.legal_basis
        returned = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                             CaseEvent.type == EventType.PRE_REVIEW_RETURNED)
                                     .order_by(CaseEvent.seq.desc()).limit(1))
        if returned is not None:
            self.notice_title = _l("Returned for amendment by the specialist group")
            self.notice = (returned.details or {}).get("reasons", "")


class DeterminationForm(TaskForm):
    has_files = True
    irreversible = True
    meeting_date = DateField(_l("Meeting date"), validators=[InputRequired(message=_l("Enter the meeting date.")), PlausibleDate()])
    attending_unit_ids = MultiCheckboxField(
        _l("Attending units"), coerce=int, validators=[DataRequired(message=_l("Choose the units that attended."))]
    )
    minutes = TextAreaField(
        _l("Minutes (text)"), validators=[DataRequired(message=_l("Enter the minutes of the meeting.")), Length(max=20000)]
    )
    decision = RadioField(
        _l("Decision"),
        choices=choices([("act", _l("Take joint action")), ("no_action", _l("No joint action"))]),
        validators=[InputRequired(message=_l("Choose the decision."))],
    )
    subject_ids = MultiCheckboxField(_l("Subjects the decision to act applies to (the meeting decides for each subject)"),
                                     coerce=int, validators=[Optional()])
    subjects_reason = TextAreaField(_l("Why no action is taken on a subject left out (required when one is)"),
                                    validators=[Optional(), Length(max=2000)])
    attending_expert_ids = MultiCheckboxField(_l("Drawn experts who took part"), coerce=int, validators=[Optional()])
    statement_answer = TextAreaField(_l("How the subjects' statements were answered (required when a subject made a statement)"),
                                     validators=[Optional(), Length(max=8000)])
    # (several subjects stated their case: one answer each, in the order of the notices; each is served its own)
    statement_answers = FieldList(TextAreaField(validators=[Optional(), Length(max=8000)]), min_entries=0)
    # The notices the answers shown were for (ids, in order): a statement recorded while the form was open adds a field
    # for it, and each answer typed stays with its subject.
    statements_shown = HiddenField(validators=[Optional(), Length(max=2000)])
    measures = MultiCheckboxField(_l("Measures (from the catalog entry)"), validators=[Optional()])
    period_days = IntegerField(
        _l("Unified implementation period (days)"),
        validators=[Optional(), NumberRange(min=1, max=1825, message=_l("Between 1 and 1825 days."))],
    )
    period_reason = TextAreaField(_l("Why the period differs from the catalog's (required when it does)"),
                                  validators=[Optional(), Length(max=2000)])
    files = MultipleFileField(_l("Minutes of the meeting: signed file (internal)"))
    decision_files = MultipleFileField(_l("Decision document served to the subjects"))

    def prepare(self, case, units) -> None:
        self._answers_for(stated_notices(case.id))
        self.attending_unit_ids.choices = choices((u.id, u.name) for u in units)
        if not self.is_submitted():  # the units that confirmed they attend
            self.attending_unit_ids.data = [c.unit_id for c in convened_of(case.id) if c.status == "attending"]
        self.attending_expert_ids.choices = choices(
            (inv.expert_id, str(_l("%(name)s (%(field)s)", name=inv.expert.name, field=FIELD_LABELS.get(inv.field, inv.field))))
            for inv in confirmed_experts(case.id)
        )
        if len(case.subjects) < 2:  # (one subject: the decision itself is whether to act on it)
            del self.subject_ids
            del self.subjects_reason
        else:
            self.subject_ids.choices = choices((cs.subject_id, cs.subject.name) for cs in case.subjects)
            if not self.is_submitted():
                self.subject_ids.data = [cs.subject_id for cs in case.subjects]
        unit_names = {u.id: u.name for u in units}
        # (an entry retired since the case was filed: its measures are shown, marked, and refused if chosen)
        self.measures.choices = choices(
            (key, f"{m['text']} — {unit_names.get(m['unit_id'], m['unit_id'])}"
                  + (f"（{_l('entry %(code)s retired', code=v.entry.code)}）" if v.entry.retired_at else ""))
            for key, m, v in measure_choices(case)
        )
        retired = sorted({ce.catalog_version.entry.code for ce in case.entries if ce.catalog_version.entry.retired_at})
        if retired:
            self.notice_title = _l("A catalog entry of this case has been retired")
            self.notice = _l("%(codes)s was retired after the case was filed: its measures can no longer be decided (攀办函〔2017〕36号 "
                             "二(一)1). Choose measures of an entry in force, or decide no joint action.", codes="、".join(retired))
        if not self.is_submitted():
            self.period_days.data = default_period_days(case)
            scheduled = (case.determination or {}).get("scheduled_meeting_date")
            # The record is of a meeting that took place: a date still ahead is not offered (it is refused).
            if scheduled and date.fromisoformat(scheduled) <= clock.today_local():
                self.meeting_date.data = date.fromisoformat(scheduled)


    def _answers_for(self, stated) -> None:
        typed = {}
        if self.is_submitted():  # (the answers as typed, by the notice each field was for)
            shown = [int(i) for i in (self.statements_shown.data or "").split(",") if i.strip().isdigit()]
            texts = ([e.data for e in self.statement_answers.entries] if self.statement_answers.entries
                     else [self.statement_answer.data])
            if not shown and len(texts) == len(stated):  # (a page without the list: its fields as the notices now stand)
                shown = [n.id for n in stated]
            typed = dict(zip(shown, texts))
        self.statements_shown.data = ",".join(str(n.id) for n in stated)
        if len(stated) < 2:
            del self.statement_answers
            if stated and stated[0].id in typed:
                self.statement_answer.data = typed[stated[0].id]
            return
        del self.statement_answer
        while self.statement_answers.entries:
            self.statement_answers.pop_entry()
        for n in stated:
            self.statement_answers.append_entry(typed.get(n.id, ""))
        for n, entry in zip(stated, self.statement_answers.entries):
            entry.label.text = _l("Answer to the statement of %(name)s (required)", name=n.subject.name)

    def values(self) -> dict:
        data = super().values()
        data.pop("statements_shown", None)
        if "statement_answers" in data:
            data["statement_answers"] = [e.data for e in self.statement_answers.entries]
        return data


def merged_bases(*texts) -> str:
    """Legal bases from the case and its catalog entries, each provision once, in the order first given (the trigger
    usually repeats its entry's basis: "A" and "A；B" read "A；B", not "A" then "A；B")."""
    parts: list[str] = []
    for text in texts:
        for part in re.split(r"[；;\n]+", text or ""):
            part = part.strip(" 。\t")
            if part and part not in parts:
                parts.append(part)
    return "；".join(parts)


class IssueNoticeForm(TaskForm):
    irreversible = True
    intended = TextAreaField(_l("Intended decision (measures and period)"), validators=[
        DataRequired(message=_l("Describe the intended decision: the measures and the period.")), Length(max=8000)])
    grounds = TextAreaField(_l("Grounds (facts found)"), validators=[
        DataRequired(message=_l("Give the grounds of the intended determination.")), Length(max=8000)])
    legal_basis = TextAreaField(_l("Legal basis"), validators=[
        DataRequired(message=_l("Give the legal basis of the intended determination.")), Length(max=8000)])

    def prepare(self, case, units) -> None:
        if not self.is_submitted():
            self.intended.data = intended_decision(case)
            self.grounds.data = case.facts
            self.legal_basis.data = merged_bases(case.legal_basis, *(ce.catalog_version.legal_basis for ce in case.entries))


class ScheduleMeetingForm(TaskForm):
    meeting_date = DateField(_l("Meeting date"), validators=[InputRequired(message=_l("Enter the meeting date.")), PlausibleDate()])
    day_off = BooleanField(_l("The meeting is held on a day off (weekend or public holiday)"))
    legal_count = IntegerField(
        _l("Legal experts"), default=1, validators=[InputRequired(), NumberRange(min=1, max=9)]
    )
    industry_count = IntegerField(
        _l("Experts per industry of the case"), default=2, validators=[InputRequired(), NumberRange(min=1, max=9)]
    )
    reserves = IntegerField(_l("Reserves per field"), default=1, validators=[InputRequired(), NumberRange(min=0, max=9)])
    excluded_expert_ids = MultiCheckboxField(_l("Exclude these experts (manual)"), coerce=int, validators=[Optional()])
    exclusion_reason = TextAreaField(
        _l("Written reason for the manual exclusions"), validators=[Optional(), Length(max=2000)]
    )
    convened_unit_ids = MultiCheckboxField(_l("Units convened to the meeting (member, non-member and county units concerned)"),
                                           coerce=int, validators=[Optional()])
    convening_reason = TextAreaField(
        _l("Why a unit whose measures the cited entries name is not convened (required when one is left out)"),
        validators=[Optional(), Length(max=2000)])

    def prepare(self, case, units) -> None:
        self.convened_unit_ids.choices = choices((u.id, u.name) for u in units)
        if not self.is_submitted():  # the units whose measures the cited entries name (as they are now)
            self.convened_unit_ids.data = units_to_convene(case)
        self.excluded_expert_ids.choices = choices(
            (e.id, f"{e.name}（{e.affiliation}）") for e in active_experts()
        )
        if not self.is_submitted():
            d = current_app.config["DRAW_DEFAULTS"]
            self.legal_count.data, self.industry_count.data, self.reserves.data = d["legal"], d["industry"], d["reserves"]


class DecideRouteForm(TaskForm):
    irreversible = True
    outcome = RadioField(
        _l("Determining body"),
        choices=choices([("group", _l("A specialist group determines the case")),
                         ("major", _l("Major behaviour spanning several groups: the office determines it at a special meeting"))]),
        validators=[InputRequired(message=_l("Name the determining body."))],
    )
    group_id = SelectField(_l("Specialist group"), coerce=int, validators=[Optional()])
    reason = TextAreaField(_l("Why the behaviour is major (required for a special meeting)"), validators=[Optional(), Length(max=4000)])

    def prepare(self, case, units) -> None:
        groups = {ce.catalog_version.entry.group_id: ce.catalog_version.entry.group for ce in case.entries}
        self.group_id.choices = choices((g.id, g.name) for g in groups.values())


class AcknowledgeForm(TaskForm):
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=4000)])


class ImplementForm(TaskForm):
    has_files = True

    def for_task(self, open_task) -> None:
        """Say what this unit applies and to whom: its measures of the decision, on the subjects the decision acts on
        (not one it left out)."""
        measures = unit_measure_texts(open_task.case_id, open_task.unit_id)
        subjects = db.session.scalars(select(Subject.name).join(CaseSubject, CaseSubject.subject_id == Subject.id).where(
            CaseSubject.case_id == open_task.case_id, CaseSubject.not_acted.is_(False)).order_by(CaseSubject.id)).all()
        if measures and subjects:
            self.outcome.label.text = str(_l("Outcome: your unit applies %(measures)s to %(subjects)s",
                                             measures="；".join(measures), subjects="、".join(subjects)))
        suspended = db.session.scalars(select(Subject.name).join(Listing, Listing.subject_id == Subject.id).where(
            Listing.case_id == open_task.case_id, Listing.status == "suspended").order_by(Listing.id)).all()
        if suspended:  # (seed 001 二(三)2: measures are suspended while an objection or complaint is handled)
            self.notice_title = _l("Punishment suspended")
            self.notice = _l("The punishment of %(subjects)s is suspended while an objection or complaint is handled: do not "
                             "apply the measures to them until it resumes. Reported applied, they are recorded as suspended; "
                             "a confirmation task tells your unit when the punishment resumes.", subjects="、".join(suspended))
    outcome = RadioField(
        _l("Outcome"),
        choices=choices([("applied", _l("The measures have been applied")), ("cannot", _l("The measures cannot be applied"))]),
        validators=[InputRequired(message=_l("Say whether the measures were applied."))],
    )
    report = TextAreaField(
        _l("Short report"), validators=[DataRequired(message=_l("Write a short report.")), Length(max=8000)]
    )
    reasons = TextAreaField(_l("Reasons (required if not applied)"), validators=[Optional(), Length(max=4000)])
    files = MultipleFileField(_l("Evidence"))


class CompileFeedbackForm(TaskForm):
    summary = TextAreaField(
        _l("Compiled feedback"), validators=[DataRequired(message=_l("Write the compiled feedback.")), Length(max=20000)]
    )


FORMS = {
    "joint_punishment.pre_review": PreReviewForm,
    "joint_punishment.decide_route": DecideRouteForm,
    "joint_punishment.amend_trigger": AmendTriggerForm,
    "joint_punishment.issue_notice": IssueNoticeForm,
    "joint_punishment.schedule_meeting": ScheduleMeetingForm,
    "joint_punishment.determination": DeterminationForm,
    "joint_punishment.acknowledge": AcknowledgeForm,
    "joint_punishment.implement": ImplementForm,
    "joint_punishment.compile_feedback": CompileFeedbackForm,
}
