"""catalog entries: source and serious-dishonesty attribute; registered-enterprise figures

Revision ID: 4e075a25141f
Revises: 8ac28a0da275
Create Date: 2026-12-01 10:50:35.907334

"""
from alembic import op
import sqlalchemy as sa

import app.db_types


# revision identifiers, used by Alembic.
revision = '4e075a25141f'
down_revision = '8ac28a0da275'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('enterprise_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=False),
    sa.Column('entered_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user.id'], name=op.f('fk_enterprise_count_entered_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_count'))
    )
    with op.batch_alter_table('enterprise_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_count_as_of'), ['as_of'], unique=False)

    with op.batch_alter_table('catalog_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=20), server_default='national', nullable=False))
        batch_op.add_column(sa.Column('source_document', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('serious', sa.Boolean(), server_default='0', nullable=False))

    # The entries config.py used to name as serious-dishonesty entries keep that mark (now an attribute of the entry).
    op.execute(
        "UPDATE catalog_version SET serious = TRUE WHERE entry_id IN "
        "(SELECT id FROM catalog_entry WHERE code IN ('SC-P-001', 'SC-P-002', 'FIN-P-001', 'ENV-P-001'))"
    )



def downgrade():
    with op.batch_alter_table('catalog_version', schema=None) as batch_op:
        batch_op.drop_column('serious')
        batch_op.drop_column('source_document')
        batch_op.drop_column('source')

    with op.batch_alter_table('enterprise_count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_count_as_of'))

    op.drop_table('enterprise_count')
