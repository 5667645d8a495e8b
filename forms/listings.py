"""Form of bpmn/measure_push.bpmn's task: the unit confirms the pushed change of a measure."""
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length, Optional

from app import clock
from app.cases.queries import unit_measure_texts
from app.dates import ShownDate
from app.i18n import lazy_gettext as _l
from app.labels import PUSH_ACTION_LABELS, REWARD_PUSH_REASONS, label
from app.listings.services import push_for_instance
from forms.joint_punishment import TaskForm


class ConfirmPushForm(TaskForm):
    def for_task(self, open_task) -> None:
        """Say what to do, to whom and since when, beside the form (it was only in the case page's push table)."""
        push = push_for_instance(open_task.instance_id)
        if push is None:
            return
        listing = push.listing
        measures = unit_measure_texts(listing.case_id, push.unit_id) if listing.case_id else []
        self.notice_title = label(PUSH_ACTION_LABELS, push.action)
        self.notice = str(_l("%(action)s for %(subject)s (pushed %(d)s)", action=label(PUSH_ACTION_LABELS, push.action),
                             subject=listing.subject.name, d=ShownDate(clock.local_date(push.created_at))))
        if push.reason in REWARD_PUSH_REASONS:
            self.notice += "\n" + str(REWARD_PUSH_REASONS[push.reason])
        if measures:
            self.notice += "\n" + str(_l("Your unit's measures: %(m)s", m="；".join(measures)))
        if push.action != "apply":  # (only a measure to apply can be one the unit cannot apply)
            del self.cannot
            self.note.label.text = _l("Note (how and when)")

    done = BooleanField(_l("The measure has been adjusted as pushed"))
    cannot = BooleanField(_l("Our unit cannot apply this measure (say why in the note)"))
    note = TextAreaField(_l("Note (how and when; or why it cannot be applied)"), validators=[Optional(), Length(max=2000)])


FORMS = {"listings.confirm_push": ConfirmPushForm}
