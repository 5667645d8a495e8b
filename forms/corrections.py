"""Form of the user task of bpmn/correction.bpmn."""
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.i18n import lazy_gettext as _l
from forms.fields import choices
from forms.joint_punishment import TaskForm


class VerifyForm(TaskForm):
    irreversible = True
    outcome = RadioField(
        _l("Conclusion"),
        choices=choices([("corrected", _l("The record is wrong: correct it and tell the units applying measures")),
                         ("refused", _l("The record is right: refuse the correction"))]),
        validators=[InputRequired(message=_l("Say whether the data is corrected."))],
    )
    reasons = TextAreaField(_l("Reasons (what the record was checked against)"),
                            validators=[InputRequired(message=_l("Give the reasons (what the record was checked against).")),
                                        Length(max=8000)])


FORMS = {"corrections.verify": VerifyForm}
