"""Forms of the user tasks of bpmn/public_report.bpmn."""
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.i18n import lazy_gettext as _l
from app.labels import STATUS_LABELS, label
from app.public_reports.services import MAX_REWARD, assignable_units, report_of
from forms.fields import choices
from forms.joint_punishment import TaskForm


class AssignForm(TaskForm):
    irreversible = True
    assignment = RadioField(
        _l("Decision on the report"),
        choices=choices([("assign", _l("Assign it to the unit responsible for verification")),
                         ("decline", _l("Decline it (not about dishonest behaviour, nobody identifiable, or a duplicate)"))]),
        validators=[InputRequired(message=_l("Assign the report or decline it."))],
    )
    unit_id = SelectField(_l("Unit responsible"), coerce=int, validators=[Optional()])
    reasons = TextAreaField(_l("Instructions to the unit, or why it is declined"), validators=[Optional(), Length(max=4000)])

    def prepare(self, case, units) -> None:
        self.unit_id.choices = choices([(0, _l("Choose the unit"))] + [(u.id, u.name) for u in assignable_units()])


class VerifyForm(TaskForm):
    irreversible = True
    outcome = RadioField(
        _l("Conclusion"),
        choices=choices([("filed", _l("Confirmed: a trigger was filed from it")),
                         ("closed", _l("Not confirmed, or not for joint punishment: close it"))]),
        validators=[InputRequired(message=_l("Give the conclusion of the verification."))],
    )
    trigger_number = StringField(_l("Number of the trigger your unit filed from it"), validators=[Optional(), Length(max=30)])
    reasons = TextAreaField(_l("What was verified, and the reasons (the reporter sees them)"),
                            validators=[InputRequired(message=_l("Say what was verified and why.")), Length(max=8000)])


class RewardForm(TaskForm):
    irreversible = True
    reward = RadioField(
        _l("Reward of the reporter (seed 002 五(三))"),
        choices=choices([("reward", _l("Reward the reporter")), ("none", _l("No reward is due"))]),
        validators=[InputRequired(message=_l("Decide whether the reporter is rewarded."))],
    )
    amount = IntegerField(_l("Amount (yuan)"), validators=[Optional(), NumberRange(min=1, max=MAX_REWARD, message=_l(
        "Give the reward in whole yuan (from 1 to %(max)s).", max=f"{MAX_REWARD:,}"))])
    reward_reasons = TextAreaField(_l("Reasons (the reporter reads them)"), validators=[
        InputRequired(message=_l("Give the reasons of the decision (the reporter reads them).")), Length(max=4000)])

    def prepare(self, case, units) -> None:
        """The office reads where the trigger filed from the report stands (pre-review, determination, in effect...)."""
        report = report_of(case.id)
        trigger = report.trigger_case if report is not None else None
        if trigger is not None:
            self.notice_title = _l("The trigger filed from this report")
            self.notice = f"{trigger.number} · {label(STATUS_LABELS, trigger.status)}"


FORMS = {"public_reports.assign": AssignForm, "public_reports.verify": VerifyForm, "public_reports.reward": RewardForm}
