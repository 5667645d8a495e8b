from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.i18n import lazy_gettext as _l
from forms.fields import MultiCheckboxField, choices

SUBJECT_ROWS = 3


class SubjectRow(Form):
    kind = SelectField(
        _l("Kind"),
        choices=choices(
            [
                ("enterprise", _l("Enterprise")),
                ("person", _l("Natural person")),
                ("social_org", _l("Social organisation")),
                ("institution", _l("Public institution")),
            ]
        ),
    )
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    code = StringField(_l("Unified social credit code / identity number"), validators=[Optional(), Length(max=30)])

    def is_blank(self) -> bool:
        return not (self.name.data or "").strip() and not (self.code.data or "").strip()


class TriggerForm(FlaskForm):
    subjects = FieldList(FormField(SubjectRow), min_entries=SUBJECT_ROWS, max_entries=10)
    entry_ids = MultiCheckboxField(
        _l("Behaviour (from the joint reward and punishment catalog)"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose at least one behaviour from the catalog."))],
    )
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Enter a short title.")), Length(max=200)])
    facts = TextAreaField(_l("Facts"), validators=[DataRequired(message=_l("Describe the facts.")), Length(max=20000)])
    legal_basis = TextAreaField(
        _l("Legal basis"), validators=[DataRequired(message=_l("Give the legal basis.")), Length(max=4000)]
    )
    files = MultipleFileField(_l("Evidence files (PDF, PNG, JPG, DOCX, XLSX; at most 10 MB each)"))
