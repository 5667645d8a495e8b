"""subjects deregistered or merged: status, successor, change record; listings carried over

Revision ID: 8ac28a0da275
Revises: ff4c313eb700
Create Date: 2026-12-01 10:43:08.321794

"""
from alembic import op
import sqlalchemy as sa

import app.db_types


# revision identifiers, used by Alembic.
revision = '8ac28a0da275'
down_revision = 'ff4c313eb700'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('subject_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('successor_id', sa.Integer(), nullable=True),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('rule', sa.String(length=20), nullable=False),
    sa.Column('listing_ids', sa.JSON(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_subject_change_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_subject_change_subject_id_subject')),
    sa.ForeignKeyConstraint(['successor_id'], ['subject.id'], name=op.f('fk_subject_change_successor_id_subject')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject_change'))
    )
    with op.batch_alter_table('subject_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subject_change_subject_id'), ['subject_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subject_change_successor_id'), ['successor_id'], unique=False)

    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carried_from_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_listing_carried_from_id_subject'), 'subject', ['carried_from_id'], ['id'])

    with op.batch_alter_table('subject', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), server_default='active', nullable=False))
        batch_op.add_column(sa.Column('status_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('successor_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_subject_successor_id'), ['successor_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_subject_successor_id_subject'), 'subject', ['successor_id'], ['id'])



def downgrade():
    with op.batch_alter_table('subject', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_subject_successor_id_subject'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_subject_successor_id'))
        batch_op.drop_column('successor_id')
        batch_op.drop_column('status_on')
        batch_op.drop_column('status')

    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_listing_carried_from_id_subject'), type_='foreignkey')
        batch_op.drop_column('carried_from_id')

    with op.batch_alter_table('subject_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subject_change_successor_id'))
        batch_op.drop_index(batch_op.f('ix_subject_change_subject_id'))

    op.drop_table('subject_change')
