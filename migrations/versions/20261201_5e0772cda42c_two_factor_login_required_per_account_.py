"""Two-factor login required per account by the security administrator; authenticator secrets sealed

Revision ID: 5e0772cda42c
Revises: 22f504000c3c
Create Date: 2026-12-01 19:35:04.908591

"""
import sqlalchemy as sa
from alembic import op

from app.crypto import seal, unseal

# revision identifiers, used by Alembic.
revision = '5e0772cda42c'
down_revision = '22f504000c3c'
branch_labels = None
depends_on = None


SEALED = sa.String(length=255)


def _rewrite(convert):
    conn = op.get_bind()
    rows = conn.execute(sa.text('SELECT id, totp_secret FROM "user" WHERE totp_secret IS NOT NULL')).all()
    if rows:
        conn.execute(sa.text('UPDATE "user" SET totp_secret = :s WHERE id = :i'), [{"i": i, "s": convert(v)} for i, v in rows])


def upgrade():
    with op.batch_alter_table('user') as batch_op:
        batch_op.add_column(sa.Column('two_factor_required', sa.Boolean(), server_default='0', nullable=False))
        batch_op.alter_column('totp_secret', existing_type=sa.VARCHAR(length=64), type_=SEALED, existing_nullable=True)
    _rewrite(lambda v: seal(v, "user.totp_secret"))


def downgrade():
    _rewrite(lambda v: unseal(v, "user.totp_secret"))
    with op.batch_alter_table('user') as batch_op:
        batch_op.alter_column('totp_secret', existing_type=SEALED, type_=sa.VARCHAR(length=64), existing_nullable=True)
        batch_op.drop_column('two_factor_required')
