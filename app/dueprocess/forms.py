from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from app.i18n import lazy_gettext as _l


class StatementForm(FlaskForm):
    """A subject's statement (陈述申辩), on the portal or as received on paper; or its waiver."""

    statement = TextAreaField(_l("Statement (陈述申辩)"), validators=[Optional(), Length(max=8000)])
    files = MultipleFileField(_l("Evidence (PDF, PNG, JPG, DOCX, XLSX; at most 10 MB each)"))
    submit = SubmitField(_l("Submit the statement"))
    waive = SubmitField(_l("Waive the statement"))
