"""Deploying a BPMN file uploaded by an administrator."""
from app.audit import services as audit
from app.auth.models import ADMIN
from app.auth.permissions import require_role
from app.cases.runtime import checker
from app.engine.registry import deploy_xml
from app.engine.runner import BpmnError
from app.errors import DomainError
from app.file_checks import xml_problem
from app.i18n import lazy_gettext as _l
from app.workdays.rules import current
from forms import FORMS


def _deploy_problem(exc: BpmnError) -> str:
    """What was wrong, in the reader's language, then the parser's own words (element ids and all) for whoever edits the file."""
    if exc.kind == "xml":
        lead = _l("it is not well-formed XML (line %(line)s)", line=exc.line) if exc.line else _l("it is not well-formed XML")
    elif exc.kind == "unknown":
        lead = _l("its process id is not one this system runs (a new id would deploy a process nothing starts)")
    elif exc.kind == "expression":
        lead = _l("a condition or script in it is not valid Python, or does what expressions may not (import, names or "
                  "attributes beginning with an underscore, functions such as open, getattr or eval)")
    elif exc.kind == "bpmn":
        lead = _l("it is not valid BPMN 2.0 (line %(line)s)", line=exc.line) if exc.line else _l("it is not valid BPMN 2.0")
    else:
        lead = _l("its user tasks do not fit this system")
    return str(_l("%(lead)s. Technical detail: %(detail)s", lead=lead, detail=str(exc)))


def upload_bpmn(actor, filename: str, data: bytes) -> list:
    """Validate (XML, BPMN schema, parse, lanes, form keys, deadline rules) and deploy as a new version for
    new cases. Nothing is deployed if anything is wrong."""
    require_role(actor, ADMIN)
    if not filename.lower().endswith(".bpmn"):
        raise DomainError(_l("Upload a .bpmn file."), "file")
    problem = xml_problem(data)  # no DTD or entities reach lxml (XXE, billion laughs)
    if problem:
        raise DomainError(_l("The BPMN file was not deployed: %(why)s", why=problem), "file")
    try:
        versions = deploy_xml(data, filename, checker(set(FORMS), current()), upload=True)
    except BpmnError as exc:
        raise DomainError(_l("The BPMN file was not deployed: %(why)s", why=_deploy_problem(exc)), "file")
    for v in versions:
        audit.record(actor, "process", v.process_id, "deploy", None, {"version_id": v.id, "sha256": v.sha256, "filename": filename})
    return versions
