"""Forms for the user tasks of bpmn/expert_invitation.bpmn."""
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.dates import ShownDate
from app.experts.models import Draw
from app.experts.services import invitation_for_instance
from app.extensions import db
from app.i18n import lazy_gettext as _l
from forms.fields import choices
from forms.joint_punishment import TaskForm


class RespondForm(TaskForm):
    answer = RadioField(
        _l("Will you take part in the meeting?"),
        choices=choices([("confirm", _l("Yes, I confirm")), ("decline", _l("No, I decline"))]),
        validators=[InputRequired(message=_l("Say whether you take part."))],
    )
    reason = TextAreaField(_l("Reason (required when declining)"), validators=[Optional(), Length(max=2000)])


class OpinionForm(TaskForm):
    def for_task(self, open_task) -> None:
        """When the opinion is due: at the latest at the meeting the expert was drawn onto (the meeting's close ends
        the step; it has no deadline of its own)."""
        inv = invitation_for_instance(open_task.instance_id)
        draw = db.session.get(Draw, inv.draw_id) if inv is not None else None
        if draw is not None:
            self.notice_title = _l("By the meeting")
            self.notice = _l("Give your written opinion before or at the meeting on %(d)s: once the meeting is closed, "
                             "no opinion is taken.", d=ShownDate(draw.meeting_date))

    vote = RadioField(
        _l("Vote"),
        choices=choices([("support", _l("Support joint action")), ("oppose", _l("Oppose")), ("abstain", _l("Abstain"))]),
        validators=[InputRequired(message=_l("Choose your vote."))],
    )
    reasons = TextAreaField(
        _l("Written opinion and reasons"), validators=[InputRequired(message=_l("Write your opinion.")), Length(max=20000)]
    )


FORMS = {"experts.respond": RespondForm, "experts.opinion": OpinionForm}
