"""Forms for the user tasks of bpmn/expert_invitation.bpmn."""
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

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
    vote = RadioField(
        _l("Vote"),
        choices=choices([("support", _l("Support joint action")), ("oppose", _l("Oppose")), ("abstain", _l("Abstain"))]),
        validators=[InputRequired(message=_l("Choose your vote."))],
    )
    reasons = TextAreaField(
        _l("Written opinion and reasons"), validators=[InputRequired(message=_l("Write your opinion.")), Length(max=20000)]
    )


FORMS = {"experts.respond": RespondForm, "experts.opinion": OpinionForm}
