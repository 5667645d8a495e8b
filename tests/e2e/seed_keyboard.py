"""Two cases for the keyboard-only journeys (test_keyboard.py), made the way the demo loader makes its cases:
- one SC-P-001 punishment decided today, in effect, with an access code issued for its subject (the applicant
  opens an account with it and objects);
- one SC-P-001 punishment decided today whose implementing units have still to report (市财政局's caseworker
  reports with evidence).

Run by conftest.py after `flask demo`: `python tests/e2e/seed_keyboard.py CODE1 NAME1 CODE2 NAME2`; prints JSON."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.cases import tasks  # noqa: E402
from app.demo import _determine, _file, _task, _user, decided_case  # noqa: E402
from app.extensions import db  # noqa: E402
from app.rights import accounts  # noqa: E402
from wsgi import app  # noqa: E402

if __name__ == "__main__":
    code1, name1, code2, name2 = sys.argv[1:5]
    with app.app_context():
        objected = decided_case("market_cw", ("enterprise", name1, code1), "SC-P-001", f"{name1}列入严重违法失信企业名单",
                                days_ago=0, period_days=1095)
        access = accounts.issue_code(_user("market_lead"), objected, objected.subjects[0].subject_id)
        implementing = _file("market_cw", [("enterprise", name2, code2)], ["SC-P-001"], f"{name2}列入严重违法失信企业名单",
                             "该公司因提供虚假材料取得登记，被列入严重违法失信企业名单。")
        tasks.complete(_user("market_lead"), _task(implementing, "pre_review").task_id, {"outcome": "accept", "reasons": ""})
        _determine(implementing, "market_lead", days=1095)
        db.session.commit()
        print(json.dumps({"objection": {"number": objected.number, "id": objected.id, "access_code": access},
                          "implementation": {"number": implementing.number, "id": implementing.id}}))
