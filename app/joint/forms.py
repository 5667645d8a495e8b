
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtf_translations
from wtforms import FieldList, Form, FormField, HiddenField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from app.i18n import lazy_gettext as _l
from app.joint.services import MAX_SUBJECTS
from forms.fields import SUBMISSION_KEY, CheckedByTheService, MultiCheckboxField, choices

SUBJECT_ROWS = 3


class BoundedFieldList(FieldList):
    """A FieldList that counts the rows submitted: WTForms keeps the first max_entries and drops the rest
    without a word; here the form is refused instead, so no subject is ever silently lost."""

    submitted_rows = 0

    def process(self, formdata, data=unset_value, extra_filters=None):
        if formdata:
            self.submitted_rows = len(set(self._extract_indices(self.name, formdata)))
        super().process(formdata, data, extra_filters)


def _not_too_many_rows(form, field):
    if field.max_entries and field.submitted_rows > field.max_entries:
        raise ValidationError(_l("At most %(n)s subjects can be filed at once (%(sent)s were sent): file the others as "
                                 "another case.", n=field.max_entries, sent=field.submitted_rows))


class SubjectRow(Form):
    class Meta:
        # A plain sub-form does not get Flask-WTF's Meta: use its translations of WTForms' own messages.
        def get_translations(self, form):
            return wtf_translations
    kind = SelectField(
        _l("Subject type"),
        choices=choices(
            [
                ("enterprise", _l("Enterprise")),
                ("person", _l("Natural person")),
                ("social_org", _l("Social organisation")),
                ("institution", _l("Public institution")),
            ]
        ),
    )
    name = StringField(_l("Subject name"), validators=[Optional(), Length(max=200)])
    code = StringField(_l("Unified social credit code / identity number"), validators=[Optional(), Length(max=30)])

    def is_blank(self) -> bool:
        return not (self.name.data or "").strip() and not (self.code.data or "").strip()




class TriggerForm(FlaskForm):
    # Made when the form is first shown and sent back with it: the same form sent twice files one case.
    submission_key = HiddenField(validators=[Optional(), Regexp(SUBMISSION_KEY)])
    subjects = BoundedFieldList(FormField(SubjectRow), min_entries=SUBJECT_ROWS, max_entries=MAX_SUBJECTS,
                                validators=[_not_too_many_rows])
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
    files = MultipleFileField(_l("Evidence files (PDF, PNG, JPG, DOCX, XLSX; at most 10 MB each)"),
                              validators=[CheckedByTheService()])
