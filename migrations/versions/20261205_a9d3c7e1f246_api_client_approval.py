"""API clients are approved by the security administrator before their token works (三员分立: the system
administrator registers a department system; granting it access to the unit's data is an authorisation). Clients
made before this stand approved as they were (their units rely on them), recorded as approved when created.

Revision ID: a9d3c7e1f246
Revises: d8b3f1a6c425
Create Date: 2026-12-05 14:00:00
"""
import sqlalchemy as sa
from alembic import op

import app.db_types

# revision identifiers, used by Alembic.
revision = 'a9d3c7e1f246'
down_revision = 'd8b3f1a6c425'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_at', app.db_types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_api_client_approved_by_id_user'), 'user', ['approved_by_id'], ['id'])
    op.execute("UPDATE api_client SET approved_at = created_at")


def downgrade():
    with op.batch_alter_table('api_client', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_client_approved_by_id_user'), type_='foreignkey')
        batch_op.drop_column('approved_by_id')
        batch_op.drop_column('approved_at')
