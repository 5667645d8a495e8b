"""Form of the user task of bpmn/meeting_attendance.bpmn."""
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.i18n import lazy_gettext as _l
from forms.fields import choices
from forms.joint_punishment import TaskForm


class ConfirmAttendanceForm(TaskForm):
    answer = RadioField(_l("Does your unit attend?"),
                        choices=choices([("attend", _l("Yes, we attend")), ("absent", _l("No, we cannot attend"))]),
                        validators=[InputRequired(message=_l("Say whether your unit attends."))])
    attendees = TextAreaField(_l("Who will attend (name, post)"), validators=[Optional(), Length(max=1000)])


FORMS = {"attendance.confirm": ConfirmAttendanceForm}
