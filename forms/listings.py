"""Form of bpmn/measure_push.bpmn's task: the unit confirms the pushed change of a measure."""
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length, Optional

from app.i18n import lazy_gettext as _l
from forms.joint_punishment import TaskForm


class ConfirmPushForm(TaskForm):
    done = BooleanField(_l("The measure has been adjusted as pushed"))
    note = TextAreaField(_l("Note (how and when)"), validators=[Optional(), Length(max=2000)])


FORMS = {"listings.confirm_push": ConfirmPushForm}
