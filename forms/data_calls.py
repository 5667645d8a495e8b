"""Forms of the user tasks of bpmn/data_call.bpmn and bpmn/data_call_unit.bpmn."""
from wtforms import FileField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.data_calls.services import rows_as_pasted, submission_for_instance
from app.i18n import lazy_gettext as _l
from forms.fields import choices
from forms.joint_punishment import TaskForm


class SubmitForm(TaskForm):
    has_files = True
    file = FileField(_l("The call's template filled in (XLSX; first row: the call's columns)"))
    pasted = TextAreaField(_l("Or paste the rows from a spreadsheet (without the header; one row per line, cells separated by tabs)"),
                           validators=[Optional(), Length(max=200_000)])

    def for_task(self, open_task) -> None:
        """A table returned for correction comes back as sent, to correct rather than type again; the office's reasons
        above it."""
        sub = submission_for_instance(open_task.instance_id)
        if sub is None or sub.status != "returned":
            return
        if sub.return_reasons:
            self.notice_title = _l("Returned for correction")
            self.notice = sub.return_reasons
        if not self.is_submitted() and sub.rows:
            self.pasted.data = rows_as_pasted(sub.rows)


class ReviewForm(TaskForm):
    def for_task(self, open_task) -> None:
        """Name the unit whose answer this is (the office has one review per unit)."""
        sub = submission_for_instance(open_task.instance_id)
        if sub is not None:
            self.outcome.label.text = str(_l("Review of the table of %(unit)s", unit=sub.unit.name))

    outcome = RadioField(_l("Review"), choices=choices([("accept", _l("Accept the unit's table")),
                                                        ("return", _l("Return it for correction"))]),
                         validators=[InputRequired(message=_l("Accept the table or return it."))])
    reasons = TextAreaField(_l("What the unit has to correct (required when returning)"), validators=[Optional(), Length(max=4000)])


class CloseForm(TaskForm):
    irreversible = True
    note = TextAreaField(_l("Note on the compiled table (optional)"), validators=[Optional(), Length(max=4000)])


FORMS = {"data_calls.submit": SubmitForm, "data_calls.review": ReviewForm, "data_calls.close": CloseForm}
