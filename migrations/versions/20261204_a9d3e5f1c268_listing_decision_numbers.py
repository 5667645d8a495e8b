"""listings of a case carry the decision document's number

Revision ID: a9d3e5f1c268
Revises: f3a8c2e9d147
Create Date: 2026-12-04 04:00:00

A case's listings were created with the number looked up in the determination record, where it never is: the
number is the case's (cases.decision_no, given when the decision document is issued). The public list's 文号 and the
exchange API's `decision_no` were therefore empty for every listing the joint procedure decided. Listings without a
number take their case's, and count as changed (the API's incremental sync hands them out again).
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a9d3e5f1c268'
down_revision = 'f3a8c2e9d147'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    now = datetime.now(timezone.utc)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # (the app keeps UTC without an offset there)
    case = sa.table("case", sa.column("id", sa.Integer), sa.column("decision_no", sa.String))
    listing = sa.table("listing", sa.column("case_id", sa.Integer), sa.column("source", sa.String),
                       sa.column("decision_no", sa.String), sa.column("updated_at", sa.DateTime(timezone=True)))
    number = sa.select(case.c.decision_no).where(case.c.id == listing.c.case_id).scalar_subquery()
    op.execute(listing.update()
               .where(listing.c.source == "case", listing.c.decision_no.is_(None), number.is_not(None))
               .values(decision_no=number, updated_at=sa.bindparam("now", now, type_=sa.DateTime(timezone=True))))


def downgrade():
    pass  # (the numbers are right: nothing to undo)
