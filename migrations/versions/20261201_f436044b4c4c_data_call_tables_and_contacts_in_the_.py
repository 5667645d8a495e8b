"""Data-call tables and contacts in the audit of changes sealed

Revision ID: f436044b4c4c
Revises: 5e0772cda42c
Create Date: 2026-12-01 20:11:54.400674

"""
import json

import sqlalchemy as sa
from alembic import op

from app.crypto import is_sealed, seal, unseal

# revision identifiers, used by Alembic.
revision = 'f436044b4c4c'
down_revision = '5e0772cda42c'
branch_labels = None
depends_on = None


ROWS = "data_submission.rows"
PERSONAL_KEYS = ("liaison_phone", "contact")  # (as app.audit.models has them at this revision)


def _each(sql: str):
    return op.get_bind().execute(sa.text(sql)).all()


def _as_obj(value):
    return json.loads(value) if isinstance(value, str) else value


def _seal_snapshot(obj, purpose):
    if not isinstance(obj, dict) or not any(k in obj and isinstance(obj[k], str) and not is_sealed(obj[k]) for k in PERSONAL_KEYS):
        return None
    return json.dumps({k: seal(v, f"{purpose}.{k}") if k in PERSONAL_KEYS and isinstance(v, str) and not is_sealed(v) else v
                       for k, v in obj.items()}, ensure_ascii=False)


def _open_snapshot(obj, purpose):
    if not isinstance(obj, dict) or not any(is_sealed(v) for v in obj.values()):
        return None
    return json.dumps({k: unseal(v, f"{purpose}.{k}") if is_sealed(v) else v for k, v in obj.items()}, ensure_ascii=False)


def _snapshots(convert):
    conn = op.get_bind()
    for col in ("before", "after"):
        for key, value in _each(f"SELECT id, {col} FROM admin_change WHERE {col} IS NOT NULL"):
            new = convert(_as_obj(value), f"admin_change.{col}")
            if new is not None:
                conn.execute(sa.text(f"UPDATE admin_change SET {col} = :v WHERE id = :i"), {"v": new, "i": key})


def upgrade():
    with op.batch_alter_table('data_submission') as batch_op:
        batch_op.alter_column('rows', existing_type=sa.JSON(), type_=sa.Text(), existing_nullable=True,
                              postgresql_using="rows::text")
    conn = op.get_bind()
    for key, value in _each("SELECT id, rows FROM data_submission WHERE rows IS NOT NULL"):
        text = json.dumps(_as_obj(value), ensure_ascii=False, sort_keys=True)
        conn.execute(sa.text("UPDATE data_submission SET rows = :v WHERE id = :i"), {"v": seal(text, ROWS), "i": key})
    _snapshots(_seal_snapshot)


def downgrade():
    _snapshots(_open_snapshot)
    conn = op.get_bind()
    for key, value in _each("SELECT id, rows FROM data_submission WHERE rows IS NOT NULL"):
        conn.execute(sa.text("UPDATE data_submission SET rows = :v WHERE id = :i"), {"v": unseal(value, ROWS), "i": key})
    with op.batch_alter_table('data_submission') as batch_op:
        batch_op.alter_column('rows', existing_type=sa.Text(), type_=sa.JSON(), existing_nullable=True,
                              postgresql_using="rows::json")
