"""WTForms classes for workflow user tasks, one module per process, found by the form key that the BPMN
user task names in its "form" property.

`FORMS` is built on first use (PEP 562), not when the package is imported: feature modules import
`forms.fields` while the task forms import the features' services, and importing every form module with the
package would make those imports circular."""


def __getattr__(name):
    if name == "FORMS":
        # Deferred on purpose (see the module docstring).
        from forms import (
            attendance,
            catalog_proposals,
            corrections,
            data_calls,
            experts,
            joint_punishment,
            listings,
            objection,
            public_reports,
            repair,
        )

        return {**joint_punishment.FORMS, **experts.FORMS, **objection.FORMS, **repair.FORMS, **listings.FORMS,
                **corrections.FORMS, **attendance.FORMS, **public_reports.FORMS, **catalog_proposals.FORMS,
                **data_calls.FORMS}
    raise AttributeError(name)
