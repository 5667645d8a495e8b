"""双公示 ledger: the units' licences, penalties and random-inspection results with the day each was published

Revision ID: b4f2a6c8d913
Revises: a9d3e5f1c268
Create Date: 2026-12-04 05:00:00
"""
import sqlalchemy as sa
from alembic import op

import app.db_types

# revision identifiers, used by Alembic.
revision = 'b4f2a6c8d913'
down_revision = 'a9d3e5f1c268'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'publicity_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('decision_no', sa.String(length=120), nullable=False),
        sa.Column('party', sa.String(length=200), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('rule_days', sa.Integer(), nullable=False),
        sa.Column('published_on', sa.Date(), nullable=True),
        sa.Column('link', sa.String(length=500), nullable=False),
        sa.Column('imported_by_id', sa.Integer(), nullable=False),
        sa.Column('updated_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['imported_by_id'], ['user.id'], name=op.f('fk_publicity_entry_imported_by_id_user')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_publicity_entry_unit_id_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_publicity_entry')),
        sa.UniqueConstraint('unit_id', 'kind', 'decision_no', name=op.f('uq_publicity_entry_unit_id')),
    )
    with op.batch_alter_table('publicity_entry') as batch_op:
        batch_op.create_index('ix_publicity_unit_decided', ['unit_id', 'decided_on'], unique=False)
        batch_op.create_index('ix_publicity_decided', ['decided_on', 'unit_id'], unique=False)
        batch_op.create_index('ix_publicity_unpublished_due', ['due_on'], unique=False,
                              postgresql_where=sa.text('published_on IS NULL'), sqlite_where=sa.text('published_on IS NULL'))


def downgrade():
    with op.batch_alter_table('publicity_entry') as batch_op:
        batch_op.drop_index('ix_publicity_unpublished_due')
        batch_op.drop_index('ix_publicity_decided')
        batch_op.drop_index('ix_publicity_unit_decided')
    op.drop_table('publicity_entry')
