"""Forms for the user tasks of bpmn/objection.bpmn."""
from datetime import date

from wtforms import BooleanField, DateField, IntegerField, MultipleFileField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.auth.models import APPLICANT, User
from app.auth.services import current_unit_id
from app.cases.models import Case
from app.dates import PlausibleDate, ShownDate
from app.experts.convocation import convened_of
from app.experts.services import confirmed_experts
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.labels import FIELD_LABELS
from app.listings.models import Listing
from app.listings.services import units_applying
from app.rights.objections import complaint_entry_dates, complaint_hearing
from forms.fields import MultiCheckboxField, choices
from forms.joint_punishment import TaskForm


class _ListingUnitsMixin:
    """Which units' measures a partly upheld finding lifts for this subject."""

    def prepare(self, case, units) -> None:
        names = {u.id: u.name for u in units}
        listing = db.session.get(Listing, case.listing_id) if case.listing_id else None
        standing = units_applying(listing) if listing else set()  # (those already lifted are not offered again)
        self.lift_units.choices = choices((lu.unit_id, names.get(lu.unit_id, lu.unit_id))
                                          for lu in (listing.units if listing else []) if lu.unit_id in standing)


class ReplyForm(_ListingUnitsMixin, TaskForm):
    has_files = True
    irreversible = True
    outcome = RadioField(
        _l("Finding"),
        choices=choices([("upheld", _l("The objection is founded: revoke this subject's listing and lift the measures")),
                         ("partly", _l("Partly founded: lift the measures of the units chosen below")),
                         ("rejected", _l("The objection is unfounded: the determination stands"))]),
        validators=[InputRequired(message=_l("Choose the finding."))],
    )
    lift_units = MultiCheckboxField(_l("Units whose measures are lifted (partly founded)"), coerce=int, validators=[Optional()])
    reasons = TextAreaField(_l("Written reply with reasons"), validators=[InputRequired(message=_l("Give the reasons.")), Length(max=20000)])
    # (an objection received on paper only: its reply is served on paper, and the complaint period counts from that day)
    served_on = DateField(_l("Day the written reply was served on the subject (the complaint period counts from it)"),
                          validators=[Optional(), PlausibleDate()])
    files = MultipleFileField(_l("Reply documents"))

    def prepare(self, case, units) -> None:
        super().prepare(case, units)
        author = db.session.get(User, case.created_by_id) if case.created_by_id else None
        if author is None or author.role == APPLICANT:
            del self.served_on  # (a reply on the portal reaches the subject as it is recorded)


class ApplicantNextForm(TaskForm):
    has_files = True
    irreversible = True  # (accepting closes the objection: a determination takes one, and the complaint is gone)
    next_step = RadioField(
        _l("What do you want to do?"),
        choices=choices([("accept", _l("I accept the reply")),
                         ("complain", _l("I complain to the joint-meeting office"))]),
        validators=[InputRequired(message=_l("Choose whether you accept the reply or complain."))],
    )
    grounds = TextAreaField(_l("Grounds of the complaint (required when complaining)"), validators=[Optional(), Length(max=20000)])
    # (an answer received on paper only: a complaint suspends the punishment from the day it arrived)
    received_on = DateField(_l("Day the written complaint was received (required when the subject complains)"),
                            validators=[Optional(), PlausibleDate()])
    files = MultipleFileField(_l("Evidence"))

    def prepare(self, case, units) -> None:
        """An objection received on paper (registered by staff): the office records the subject's written answer."""
        author = db.session.get(User, case.created_by_id) if case.created_by_id else None
        if author is None or author.role == APPLICANT:
            del self.received_on  # (the subject complains through the portal: it arrives as it is sent)
            # Seed 001 二(三)2: what each choice means, before the one that cannot be taken back.
            self.notice_title = _l("Before you choose")
            self.notice = _l("If you accept the reply, your objection is closed: this determination takes no other "
                             "objection and you can no longer complain to the joint-meeting office. If you find the reply "
                             "insufficient, its grounds not objective, or the facts found wrong, complain to the "
                             "joint-meeting office by the deadline shown above, giving your grounds; the punishment is "
                             "suspended again while the office handles it.")
        else:
            self.next_step.label.text = _l("What the subject answered in writing")
            self.next_step.choices = choices([("accept", _l("The subject accepts the reply")),
                                              ("complain", _l("The subject complains to the joint-meeting office"))])
            self.files.label.text = _l("Scan of the subject's written answer")
            self.files.flags.required = True  # (the service refuses the answer without it)
            dates = complaint_entry_dates(case)
            if dates:
                self.notice_title = _l("The complaint period")
                self.notice = _l("The complaint period ends on %(last)s. A written complaint received by that day is a "
                                 "complaint in time: record it with the day it arrived, by %(until)s, when this step "
                                 "closes and the objection ends.", last=ShownDate(dates[0]), until=ShownDate(dates[1]))


class ScheduleHearingForm(TaskForm):
    attending_unit_ids = MultiCheckboxField(_l("Units convened"), coerce=int, validators=[Optional()])
    draw_experts = BooleanField(_l("Draw experts for the hearing"))
    hearing_date = DateField(_l("Hearing date"), validators=[Optional(), PlausibleDate()])
    legal_count = IntegerField(_l("Legal experts"), default=1, validators=[Optional(), NumberRange(min=0, max=9)])
    industry_count = IntegerField(_l("Experts per industry of the case"), default=1, validators=[Optional(), NumberRange(min=0, max=9)])
    reserves = IntegerField(_l("Reserves per field"), default=1, validators=[Optional(), NumberRange(min=0, max=9)])

    def prepare(self, case, units) -> None:
        self.attending_unit_ids.choices = choices((u.id, u.name) for u in units)
        if self.is_submitted() or not case.parent_case_id:
            return
        parent = db.session.get(Case, case.parent_case_id)
        deciding = (parent.determination or {}).get("deciding_unit_id") if parent is not None else None
        if deciding:  # the unit whose determination is complained of is always heard (or the unit that took over its work)
            heard = current_unit_id(deciding)
            self.attending_unit_ids.data = [heard] if heard in {u.id for u in units} else []


class DecideComplaintForm(_ListingUnitsMixin, TaskForm):
    has_files = True
    irreversible = True
    outcome = RadioField(
        _l("Decision on the complaint"),
        choices=choices([("upheld", _l("Founded: revoke this subject's listing and lift the measures")),
                         ("partly", _l("Partly founded: lift the measures of the units chosen below")),
                         ("rejected", _l("Unfounded: the punishment resumes from today"))]),
        validators=[InputRequired(message=_l("Choose the decision."))],
    )
    lift_units = MultiCheckboxField(_l("Units whose measures are lifted (partly founded)"), coerce=int, validators=[Optional()])
    reasons = TextAreaField(_l("Decision with reasons"), validators=[InputRequired(message=_l("Give the reasons.")), Length(max=20000)])
    # Seed 001 二(三)2: the office studies the complaint together with the units it convened (and the experts it drew).
    attending_unit_ids = MultiCheckboxField(_l("Convened units that took part (at the meeting or by written opinion)"),
                                            coerce=int, validators=[Optional()])
    attending_expert_ids = MultiCheckboxField(_l("Drawn experts who took part"), coerce=int, validators=[Optional()])
    minutes = TextAreaField(_l("How the complaint was studied (minutes)"),
                            validators=[InputRequired(message=_l("Record how the complaint was studied (the minutes).")),
                                        Length(max=20000)])
    files = MultipleFileField(_l("Decision documents"))

    def for_task(self, open_task) -> None:
        """The meeting's day: the decision is taken on or after it (the units and experts were told that day)."""
        hearing = complaint_hearing(open_task.case_id).get("hearing_date")
        if hearing:
            self.notice_title = _l("Complaint meeting")
            self.notice = _l("The convened units and experts meet on %(d)s: decide the complaint on or after that day, "
                             "with those who took part.", d=ShownDate(date.fromisoformat(hearing)))

    def prepare(self, case, units) -> None:
        super().prepare(case, units)
        self.attending_unit_ids.flags.required = True  # (at least one: checked by the service, marked here)
        names = {u.id: u.name for u in units}
        convened = complaint_hearing(case.id)
        self.attending_unit_ids.choices = choices((u, names.get(u, u)) for u in convened.get("units") or [])
        if not self.is_submitted():  # the units that confirmed they attend
            self.attending_unit_ids.data = [c.unit_id for c in convened_of(case.id) if c.status == "attending"]
        experts = confirmed_experts(case.id, "complaint")
        if convened.get("draw_id"):
            self.attending_expert_ids.choices = choices(
                (inv.expert_id, f"{inv.expert.name}（{FIELD_LABELS.get(inv.field, inv.field)}）") for inv in experts)
        else:
            del self.attending_expert_ids  # (no experts drawn for this complaint)


FORMS = {
    "objection.reply": ReplyForm,
    "objection.applicant_next": ApplicantNextForm,
    "objection.schedule_hearing": ScheduleHearingForm,
    "objection.decide_complaint": DecideComplaintForm,
}
