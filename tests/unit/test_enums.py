"""Every enumeration value has exactly one label, and the BPMN files name only known case statuses."""
from pathlib import Path

import pytest
from lxml import etree

from app import labels
from app.enums import CaseKind, CaseStatus, EventType, MeasureStatus, Role, SubjectKind

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"


@pytest.mark.parametrize(
    "enum,table",
    [
        (Role, labels.ROLE_LABELS),
        (CaseKind, labels.CASE_KIND_LABELS),
        (SubjectKind, labels.SUBJECT_KIND_LABELS),
        (CaseStatus, labels.STATUS_LABELS),
        (MeasureStatus, labels.MEASURE_STATUS_LABELS),
        (EventType, labels.EVENT_LABELS),
    ],
)
def test_one_label_per_value(enum, table):
    assert set(table) == {m.value for m in enum}


def test_bpmn_case_statuses_are_enum_values():
    named = set()
    for path in BPMN_DIR.glob("*.bpmn"):
        for prop in etree.parse(str(path)).iter(f"{{{SPIFF}}}property"):
            if prop.get("name") == "case_status":
                named.add(prop.get("value"))
    assert named and named <= {m.value for m in CaseStatus}, named - {m.value for m in CaseStatus}


def test_every_bpmn_process_has_a_name_in_the_ui():
    ids = {etree.parse(str(p)).find("{http://www.omg.org/spec/BPMN/20100524/MODEL}process").get("id")
           for p in BPMN_DIR.glob("*.bpmn")}
    assert len(ids) >= 13 and ids <= set(labels.PROCESS_LABELS), ids - set(labels.PROCESS_LABELS)
