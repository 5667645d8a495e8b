"""WTForms classes for workflow user tasks, one module per process, found by the form key that the BPMN
user task names in its "form" property."""
from forms import experts, joint_punishment, listings, objection, repair

FORMS = {**joint_punishment.FORMS, **experts.FORMS, **objection.FORMS, **repair.FORMS, **listings.FORMS}
