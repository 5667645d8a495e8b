"""Past history that a browser cannot make: one joint punishment decided 120 days ago and in effect since
(credit repair is accepted only after the minimum publication period of 90 days).

Run by conftest.py after `flask demo`, in the same environment: `python tests/e2e/history.py CODE NAME`.
It goes through the same steps as the demo loader (app/demo.py, with its backdated clock), so the case has
a real timeline; prints the case number."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import select  # noqa: E402

from app.demo import decided_case  # noqa: E402
from app.extensions import db  # noqa: E402
from app.listings.models import Listing  # noqa: E402
from wsgi import app  # noqa: E402

DAYS_AGO = 120


if __name__ == "__main__":
    with app.app_context():
        case = decided_case("market_cw", ("enterprise", sys.argv[2], sys.argv[1]), "SC-P-001", f"{sys.argv[2]}列入严重违法失信企业名单",
                            days_ago=DAYS_AGO, period_days=730)
        db.session.commit()
        # The listing's first day as the app recorded it (the journeys expect it, not a date they compute: a run
        # that seeds before midnight in Shanghai and looks after it would be a day off).
        start = db.session.scalar(select(Listing.period_start).where(Listing.case_id == case.id))
        print(json.dumps({"number": case.number, "id": case.id, "period_start": start.isoformat()}))
