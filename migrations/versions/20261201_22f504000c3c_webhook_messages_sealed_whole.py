"""Webhook messages sealed whole

Revision ID: 22f504000c3c
Revises: 2160326218ca
Create Date: 2026-12-01 19:28:22.369941

"""
import json

import sqlalchemy as sa
from alembic import op

from app.crypto import seal, unseal

# revision identifiers, used by Alembic.
revision = '22f504000c3c'
down_revision = '2160326218ca'
branch_labels = None
depends_on = None


PURPOSE = "webhook_delivery.payload"


def _rewrite(convert):
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, payload FROM webhook_delivery WHERE payload IS NOT NULL")).all()
    updates = [{"i": i, "p": convert(p)} for i, p in rows]
    if updates:
        conn.execute(sa.text("UPDATE webhook_delivery SET payload = :p WHERE id = :i"), updates)


def upgrade():
    with op.batch_alter_table('webhook_delivery') as batch_op:
        batch_op.alter_column('payload', existing_type=sa.JSON(), type_=sa.Text(), existing_nullable=False,
                              postgresql_using="payload::text")
    # the message as it was (JSON text), sealed whole
    _rewrite(lambda p: seal(json.dumps(json.loads(p) if isinstance(p, str) else p, ensure_ascii=False, sort_keys=True), PURPOSE))


def downgrade():
    _rewrite(lambda p: unseal(p, PURPOSE))
    with op.batch_alter_table('webhook_delivery') as batch_op:
        batch_op.alter_column('payload', existing_type=sa.Text(), type_=sa.JSON(), existing_nullable=False,
                              postgresql_using="payload::json")
