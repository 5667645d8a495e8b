"""stored files in the database (blob, blob_chunk)

Revision ID: e490ae2b0110
Revises: 2b141179e1dc
Create Date: 2026-12-01 16:30:14.513570

"""
from alembic import op
import sqlalchemy as sa

import app.db_types


# revision identifiers, used by Alembic.
revision = 'e490ae2b0110'
down_revision = '2b141179e1dc'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('blob',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('created_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_blob'))
    )
    with op.batch_alter_table('blob', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blob_created_at'), ['created_at'], unique=False)

    op.create_table('blob_chunk',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['sha256'], ['blob.sha256'], name=op.f('fk_blob_chunk_sha256_blob'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sha256', 'seq', name=op.f('pk_blob_chunk'))
    )
    # ### end Alembic commands ###


def downgrade():
    op.drop_table('blob_chunk')
    with op.batch_alter_table('blob', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blob_created_at'))

    op.drop_table('blob')
    # ### end Alembic commands ###
