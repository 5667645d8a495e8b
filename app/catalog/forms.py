from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.catalog.admin import MAX_TEXT, EntryIn
from app.i18n import lazy_gettext as _l
from forms.fields import choices, submission_key_field


class CatalogEntryForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Optional(), Length(max=40)])
    kind = SelectField(_l("Entry type"), choices=choices([("punishment", _l("Joint punishment")), ("reward", _l("Joint reward"))]))
    group = SelectField(_l("Specialist group responsible"))
    behaviour = StringField(_l("Behaviour"), validators=[DataRequired(message=_l("This field is required.")), Length(max=200)])
    admin_unit = SelectField(_l("Administrative unit"))
    grounds = TextAreaField(_l("Grounds"), validators=[DataRequired(message=_l("This field is required.")), Length(max=MAX_TEXT)])
    legal_basis = TextAreaField(_l("Legal basis"), validators=[DataRequired(message=_l("This field is required.")), Length(max=MAX_TEXT)])
    measures = TextAreaField(_l("Measures: one per line, code|text|implementing unit"), validators=[DataRequired(message=_l("List at least one measure.")),
                                                                                                      Length(max=20_000)])
    measure_content = TextAreaField(_l("Measure content"), validators=[Optional(), Length(max=MAX_TEXT)])
    required_evidence = TextAreaField(_l("Required evidence"), validators=[Optional(), Length(max=MAX_TEXT)])
    default_period_days = StringField(_l("Default implementation period (days)"), validators=[DataRequired(message=_l("The period must be a positive whole number of days."))])
    source = SelectField(_l("Source of the entry"), choices=choices([
        ("national", _l("National basic list of punishment measures (全国失信惩戒措施基础清单)")),
        ("provincial", _l("Provincial list")), ("local", _l("Local supplement (needs the local decision)"))]), default="national")
    source_document = TextAreaField(_l("The provincial list or local decision that sets it"), validators=[Optional(), Length(max=2000)])
    serious = BooleanField(_l("A listing under this entry makes the subject a serious-dishonesty subject (严重失信主体)"))
    reason = TextAreaField(_l("Why (law, institution, correction)"), validators=[Optional(), Length(max=2000)])

    def entry_in(self):
        """The entry's content as the catalog services take it."""
        return EntryIn(self.kind.data, self.group.data, self.behaviour.data, self.admin_unit.data, self.grounds.data,
                       self.legal_basis.data, self.measures.data, self.measure_content.data or "", self.required_evidence.data or "",
                       self.default_period_days.data, self.source.data, self.source_document.data or "", bool(self.serious.data))


class ProposalForm(CatalogEntryForm):
    """A member unit's proposal: the entry's form, sent once (its key tells a resend)."""

    submission_key = submission_key_field()


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Give a reason.")), Length(max=2000)])


class FileForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(message=_l("Choose a file."))])  # (a file, not a text field of that name)
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])
