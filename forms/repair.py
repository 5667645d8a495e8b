"""Forms for the user tasks of bpmn/credit_repair.bpmn."""
from wtforms import MultipleFileField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.i18n import lazy_gettext as _l
from forms.fields import choices
from forms.joint_punishment import TaskForm


class ReviewForm(TaskForm):
    irreversible = True
    outcome = RadioField(
        _l("Conclusion"),
        choices=choices([("approve", _l("Approve: publish the repair and end the punishment")),
                         ("supplement", _l("Ask the applicant for supplements")),
                         ("reject", _l("Reject"))]),
        validators=[InputRequired(message=_l("Choose the conclusion."))],
    )
    reasons = TextAreaField(_l("Reasons (or what must be supplemented)"), validators=[InputRequired(message=_l("Give the reasons.")), Length(max=20000)])


class SupplementForm(TaskForm):
    has_files = True
    supplement = TextAreaField(_l("Supplementary explanation"), validators=[Optional(), Length(max=20000)])
    files = MultipleFileField(_l("Supplementary evidence"))


FORMS = {"repair.review": ReviewForm, "repair.supplement": SupplementForm}
