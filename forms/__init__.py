"""WTForms classes for workflow user tasks, one module per process, found by the form key that the BPMN
user task names in its "form" property."""
from forms import joint_punishment

FORMS = dict(joint_punishment.FORMS)
