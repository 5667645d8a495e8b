"""Forms of the user tasks of bpmn/catalog_proposal.bpmn."""
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.catalog import queries as catalog_queries
from app.catalog.forms import CatalogEntryForm
from app.i18n import lazy_gettext as _l
from forms.fields import choices
from forms.joint_punishment import TaskForm


class ReviewForm(TaskForm):
    irreversible = True
    outcome = RadioField(
        _l("Conclusion"),
        choices=choices([("publish", _l("Publish it in the catalog (a new entry, or a new version of the entry)")),
                         ("return", _l("Return it to the unit for changes")),
                         ("reject", _l("Do not adopt it"))]),
        validators=[InputRequired(message=_l("Publish the proposal, return it or do not adopt it."))],
    )
    code = StringField(_l("Code of the new entry (only for a new entry)"), validators=[Optional(), Length(max=40)])
    reasons = TextAreaField(_l("Reasons (required when returning or not adopting; the unit sees them)"),
                            validators=[Optional(), Length(max=4000)])


class AmendForm(TaskForm, CatalogEntryForm):
    """The returned draft, as the unit changes it (the catalog's own entry fields)."""

    code = None  # the office gives a new entry its code when it publishes it
    reason = TextAreaField(_l("What was changed (optional)"), validators=[Optional(), Length(max=2000)])

    def prepare(self, case, units) -> None:
        self.group.choices = choices((n, n) for n in catalog_queries.group_names())
        self.admin_unit.choices = choices([(case.initiating_unit.name, case.initiating_unit.name)])
        if not self.is_submitted():
            draft = (case.determination or {}).get("draft") or {}
            for name, value in draft.items():
                if name in self._fields and name != "reason":
                    self._fields[name].data = value


FORMS = {"catalog_proposals.review": ReviewForm, "catalog_proposals.amend": AmendForm}
