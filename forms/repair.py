"""Forms for the user tasks of bpmn/credit_repair.bpmn."""
from sqlalchemy import select
from wtforms import MultipleFileField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.cases.models import CaseEvent
from app.enums import EventType
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.rights.objections import open_objection
from forms.fields import choices
from forms.joint_punishment import TaskForm


class ReviewForm(TaskForm):
    irreversible = True
    outcome = RadioField(
        _l("Conclusion"),
        choices=choices([("approve", _l("Approve: publish the repair and end the punishment")),
                         ("supplement", _l("Ask the applicant for supplements")),
                         ("reject", _l("Reject")),
                         ("ended", _l("Close it: the punishment has ended (period run out or revoked), nothing is left to repair"))]),
        validators=[InputRequired(message=_l("Choose the conclusion."))],
    )
    reasons = TextAreaField(_l("Reasons (or what must be supplemented)"), validators=[InputRequired(message=_l("Give the reasons.")), Length(max=20000)])

    def prepare(self, case, units) -> None:
        """The reviewer is told of an objection to the same punishment still being handled (the punishment is
        suspended meanwhile): approval waits until it is settled (a founded one revokes the listing)."""
        subject_ids = [cs.subject_id for cs in case.subjects]
        pending = open_objection(case.parent_case_id, subject_ids[0]) if case.parent_case_id and subject_ids else None
        if pending is not None:
            self.notice_title = _l("An objection to this punishment is being handled")
            self.notice = _l("The subject's objection %(number)s to the same determination is still open, and the "
                             "punishment is suspended while it is handled. The repair can be approved once the objection "
                             "is settled (a founded objection revokes the listing); meanwhile you may ask for material or "
                             "reject it.", number=pending.number)


class SupplementForm(TaskForm):
    has_files = True
    supplement = TextAreaField(_l("Supplementary explanation"), validators=[Optional(), Length(max=20000)])
    files = MultipleFileField(_l("Supplementary evidence"))

    def prepare(self, case, units) -> None:
        """What the reviewer asked for, above the form (it is otherwise only on the timeline, far below)."""
        asked = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                          CaseEvent.type == EventType.REPAIR_REVIEWED)
                                  .order_by(CaseEvent.seq.desc()).limit(1))
        if asked is not None and (asked.details or {}).get("outcome") == "supplement":
            self.notice_title = _l("What the reviewing unit asks you to supplement")
            self.notice = (asked.details or {}).get("reasons", "")


FORMS = {"repair.review": ReviewForm, "repair.supplement": SupplementForm}
