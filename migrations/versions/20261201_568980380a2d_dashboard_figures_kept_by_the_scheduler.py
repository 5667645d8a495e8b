"""dashboard figures kept by the scheduler

Revision ID: 568980380a2d
Revises: 185219046951
Create Date: 2026-12-01 13:35:23.319641

"""
from alembic import op
import sqlalchemy as sa

import app.db_types


# revision identifiers, used by Alembic.
revision = '568980380a2d'
down_revision = '185219046951'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dashboard_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('computed_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dashboard_snapshot'))
    )


def downgrade():
    op.drop_table('dashboard_snapshot')
