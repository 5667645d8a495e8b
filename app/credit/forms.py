from flask_wtf import FlaskForm
from wtforms import DateField, FileField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app import labels
from app.dates import PlausibleDate
from app.i18n import lazy_gettext as _l
from forms.fields import choices


class CheckForm(FlaskForm):
    code = StringField(_l("Unified social credit code or identity number"),
                       validators=[DataRequired(message=_l("Enter the code.")), Length(max=30)])
    matter_type = SelectField(_l("Approval matter type"))
    matter_no = StringField(_l("Matter number (受理编号)"), validators=[DataRequired(message=_l("Give the number of the approval matter (受理编号).")),
                                                                   Length(max=80)])

    def set_matter_types(self, keys):
        self.matter_type.choices = choices((k, labels.label(labels.MATTER_TYPE_LABELS, k)) for k in keys)


class ApplicationForm(FlaskForm):
    listing_id = HiddenField(validators=[DataRequired()])
    action = RadioField(_l("What your unit did"), choices=choices(labels.CHECK_ACTION_LABELS.items()),
                        validators=[DataRequired(message=_l("Choose what your unit did."))])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])


class BatchForm(FlaskForm):
    file = FileField(_l("File of subjects (XLSX or CSV)"), validators=[DataRequired(message=_l("Choose a file."))])


class CommitmentForm(FlaskForm):
    """The applicant's written commitment for the checked matter (信用承诺)."""

    kind = RadioField(_l("The applicant committed to"), choices=choices(labels.COMMITMENT_KIND_LABELS.items()),
                      validators=[DataRequired(message=_l("Choose what the applicant committed to."))])
    content = TextAreaField(_l("What the signed commitment says"), validators=[Length(max=2000)])
    due_on = DateField(_l("To be fulfilled by (optional)"), validators=[Optional(), PlausibleDate()])


class CloseCommitmentForm(FlaskForm):
    outcome = RadioField(_l("Your unit found it"), choices=choices([("kept", _l("Kept")), ("broken", _l("Broken"))]),
                         validators=[DataRequired(message=_l("Choose whether it was kept."))])
    finding = TextAreaField(_l("What your unit found"), validators=[Length(max=2000)])
