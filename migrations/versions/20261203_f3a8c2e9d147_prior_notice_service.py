"""prior notices: their service (送达), from which the statement period runs

Revision ID: f3a8c2e9d147
Revises: e7c1a9d4b352
Create Date: 2026-12-03 13:30:00

A notice sent by post reaches the subject days after it was issued; the statement period (陈述申辩) runs from the
day it was received. Notices issued before keep NULL (their period counted from issue).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f3a8c2e9d147'
down_revision = 'e7c1a9d4b352'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('prior_notice') as batch_op:
        batch_op.add_column(sa.Column('served_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('service_way', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('service_proof_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_prior_notice_service_proof_id_attachment'), 'attachment', ['service_proof_id'], ['id'])


def downgrade():
    with op.batch_alter_table('prior_notice') as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_prior_notice_service_proof_id_attachment'), type_='foreignkey')
        batch_op.drop_column('service_proof_id')
        batch_op.drop_column('service_way')
        batch_op.drop_column('served_on')
