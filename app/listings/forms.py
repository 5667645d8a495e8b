from flask_wtf import FlaskForm
from wtforms import FileField, IntegerField, MultipleFileField, RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.i18n import lazy_gettext as _l
from forms.fields import CheckedByTheService, choices


class DepartmentListForm(FlaskForm):
    """A department's own red or black list (XLSX)."""

    file = FileField(_l("The list (XLSX, at most 10 MB)"))


class EndListingForm(FlaskForm):
    """The deciding body ends a listing early: its decision revoked, or (a department's list) the subject repaired."""

    listing_id = IntegerField(_l("Subject"), validators=[InputRequired(message=_l("Choose a subject of this case."))])
    way = RadioField(_l("How the listing ends"), choices=choices([("revoked", _l("Revoked: the decision is annulled or wrong")),
                                                                   ("repaired", _l("Credit repaired (recorded by the deciding body: its own finding, or a repair recognised from another credit platform)")),
                                                                   ("withdrawn", _l("Withdrawn from today: the subject no longer qualifies (found dishonest since); it stays on the lists of the days before"))]),
                     validators=[InputRequired(message=_l("Choose how the listing ends."))])
    reasons = TextAreaField(_l("Reasons (as the signed decision states them)"),
                            validators=[DataRequired(message=_l("Give the reasons, as the signed decision states them.")),
                                        Length(max=8000)])
    files = MultipleFileField(_l("Scan of the signed decision (PDF, PNG, JPG; at most 10 MB each)"), validators=[CheckedByTheService()])


class RetiredBasisForm(FlaskForm):
    """The office ends the listings in force under a catalog entry it retired (listings.retired_basis)."""

    reasons = TextAreaField(_l("Reasons (as the clean-up document states them)"),
                            validators=[DataRequired(message=_l("Give the reasons, as the clean-up document states them.")),
                                        Length(max=8000)])
    files = MultipleFileField(_l("Scan of the clean-up document (PDF, PNG, JPG; at most 10 MB each)"),
                              validators=[CheckedByTheService()])
