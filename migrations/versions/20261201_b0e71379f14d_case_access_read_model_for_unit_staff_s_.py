"""case access read model for unit staff's case lists

Revision ID: b0e71379f14d
Revises: 568980380a2d
Create Date: 2026-12-01 14:32:27.013117

"""
from alembic import op
import sqlalchemy as sa

import app.db_types


# revision identifiers, used by Alembic.
revision = 'b0e71379f14d'
down_revision = '568980380a2d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_access',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_case_access_case_id_case')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_case_access_unit_id_unit')),
    sa.PrimaryKeyConstraint('unit_id', 'case_id', name=op.f('pk_case_access'))
    )
    # Filled before its indexes are built. Every unit's cases as they stand (a case with several relations to a unit is one row).
    op.execute(
        'INSERT INTO case_access (unit_id, case_id, created_at, status, kind) '
        'SELECT DISTINCT cu.unit_id, c.id, c.created_at, c.status, c.kind FROM case_unit cu JOIN "case" c ON c.id = cu.case_id'
    )
    with op.batch_alter_table('case_access', schema=None) as batch_op:
        batch_op.create_index('ix_case_access_case', ['case_id'], unique=False)
        batch_op.create_index('ix_case_access_created', ['unit_id', 'created_at', 'case_id'], unique=False)
        batch_op.create_index('ix_case_access_kind', ['unit_id', 'kind', 'created_at', 'case_id'], unique=False)
        batch_op.create_index('ix_case_access_status', ['unit_id', 'status', 'created_at', 'case_id'], unique=False)



def downgrade():
    with op.batch_alter_table('case_access', schema=None) as batch_op:
        batch_op.drop_index('ix_case_access_status')
        batch_op.drop_index('ix_case_access_kind')
        batch_op.drop_index('ix_case_access_created')
        batch_op.drop_index('ix_case_access_case')

    op.drop_table('case_access')
