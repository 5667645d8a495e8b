from flask_wtf import FlaskForm
from wtforms import FileField

from app.i18n import lazy_gettext as _l


class DepartmentListForm(FlaskForm):
    """A department's own red or black list (XLSX)."""

    file = FileField(_l("The list (XLSX, at most 10 MB)"))
