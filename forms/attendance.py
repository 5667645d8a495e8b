"""Form of the user task of bpmn/meeting_attendance.bpmn."""
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.cases.models import Case
from app.dates import ShownDate
from app.enums import CaseKind
from app.experts.convocation import for_instance
from app.extensions import db
from app.i18n import lazy_gettext as _l
from forms.fields import choices
from forms.joint_punishment import TaskForm


class ConfirmAttendanceForm(TaskForm):
    def for_task(self, open_task) -> None:
        """Which meeting, and when: the group's determination meeting, or the office's meeting on a complaint (one
        process convenes units to both)."""
        row = for_instance(open_task.instance_id)
        if row is None:
            return
        case = db.session.get(Case, open_task.case_id)
        if case is not None and case.kind == CaseKind.OBJECTION:
            self.notice_title = _l("Complaint meeting")
            self.notice = _l("The joint-meeting office convenes your unit to study and handle the complaint about %(no)s "
                             "together (seed 001 二(三)2) on %(d)s.", no=case.number, d=ShownDate(row.meeting_date))
        else:
            self.notice_title = _l("Determination meeting")
            self.notice = _l("Your unit is convened to the determination meeting of %(no)s on %(d)s.",
                             no=case.number if case is not None else "", d=ShownDate(row.meeting_date))

    answer = RadioField(_l("Does your unit attend?"),
                        choices=choices([("attend", _l("Yes, we attend")), ("absent", _l("No, we cannot attend"))]),
                        validators=[InputRequired(message=_l("Say whether your unit attends."))])
    attendees = TextAreaField(_l("Who will attend (name, post)"), validators=[Optional(), Length(max=1000)])


FORMS = {"attendance.confirm": ConfirmAttendanceForm}
