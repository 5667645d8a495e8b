"""The serious-dishonesty list (严重失信主体名单) indexed: black-list entries marked serious, newest first

Revision ID: d4e8a2c7b913
Revises: c3d9e4a1f6b2
Create Date: 2026-12-02 11:10:00

The public serious-dishonesty list reads in-effect punishments whose catalog entry marks serious dishonesty, newest
first. They are a small part of the black list: a partial index holds only them, so a page of the list does not
walk the whole black list to find its 25 rows.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd4e8a2c7b913'
down_revision = 'c3d9e4a1f6b2'
branch_labels = None
depends_on = None

SERIOUS = sa.text('serious')


def upgrade():
    op.create_index('ix_listing_serious', 'listing', ['kind', 'status', 'period_start'], unique=False,
                    postgresql_where=SERIOUS, sqlite_where=SERIOUS)


def downgrade():
    op.drop_index('ix_listing_serious', table_name='listing')
