from flask_wtf import FlaskForm
from wtforms import FileField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app import labels
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
