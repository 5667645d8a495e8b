"""Seal identity numbers and contact details (SM4-GCM) with keyed SM3 lookup digests

Existing values are sealed with the installation's data key (app/crypto: XINLIAN_DATA_KEY_FILE or the key
provider); the plain columns are dropped. Downgrading opens them again with the same key.

Revision ID: 2160326218ca
Revises: f9d4851d5d5b
Create Date: 2026-12-01 19:14:17.072210

"""
import sqlalchemy as sa
from alembic import op

from app.crypto import digest, is_sealed, seal, unseal


def _personal_keys(obj: dict) -> tuple:  # (as app.cases.models had it at this revision)
    keys = ("subject_code", "contact")
    return keys + ("current", "proposed") if obj.get("field") == "code" else keys

revision = '2160326218ca'
down_revision = 'f9d4851d5d5b'
branch_labels = None
depends_on = None

SEALED = sa.String(length=255)
BATCH = 1000


def _rewrite(table: str, key: str, columns: tuple, convert) -> None:
    """Read (key, *columns) in batches and write back convert(row) -> dict of new column values."""
    conn = op.get_bind()
    last = None
    while True:
        where = f"WHERE {key} > :last " if last is not None else ""
        rows = conn.execute(sa.text(f'SELECT {key}, {", ".join(columns)} FROM "{table}" {where}ORDER BY {key} LIMIT {BATCH}'),
                            {"last": last}).all()
        if not rows:
            return
        updates = [dict(convert(r), _k=r[0]) for r in rows]
        updates = [u for u in updates if len(u) > 1]
        if updates:
            sets = ", ".join(f"{c} = :{c}" for c in updates[0] if c != "_k")
            conn.execute(sa.text(f'UPDATE "{table}" SET {sets} WHERE {key} = :_k'), updates)
        last = rows[-1][0]


def _seal_json(purpose: str, value):
    import json
    obj = json.loads(value) if isinstance(value, str) else value
    if not isinstance(obj, dict):
        return None
    keys = [k for k in _personal_keys(obj) if isinstance(obj.get(k), str) and not is_sealed(obj[k])]
    if not keys:
        return None
    return json.dumps(dict(obj, **{k: seal(obj[k], f"{purpose}.{k}") for k in keys}), ensure_ascii=False)


def upgrade():
    with op.batch_alter_table('subject') as batch_op:
        batch_op.add_column(sa.Column('code_sealed', SEALED, nullable=True))
        batch_op.add_column(sa.Column('code_digest', sa.String(length=64), nullable=True))
    _rewrite("subject", "id", ("code",), lambda r: {"code_sealed": seal(r[1], "subject.code"), "code_digest": digest(r[1])})
    with op.batch_alter_table('subject') as batch_op:
        batch_op.alter_column('code_sealed', existing_type=SEALED, nullable=False)
        batch_op.alter_column('code_digest', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint('uq_subject_code', type_='unique')
        batch_op.create_unique_constraint('uq_subject_code_digest', ['code_digest'])
        batch_op.drop_column('code')

    with op.batch_alter_table('credit_check') as batch_op:
        batch_op.add_column(sa.Column('subject_code_sealed', SEALED, nullable=True))
        batch_op.add_column(sa.Column('subject_code_digest', sa.String(length=64), nullable=True))
    _rewrite("credit_check", "id", ("subject_code",),
             lambda r: {"subject_code_sealed": seal(r[1], "subject.code"), "subject_code_digest": digest(r[1])})
    with op.batch_alter_table('credit_check') as batch_op:
        batch_op.alter_column('subject_code_sealed', existing_type=SEALED, nullable=False)
        batch_op.alter_column('subject_code_digest', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_index('ix_credit_check_code')
        batch_op.create_index('ix_credit_check_code', ['subject_code_digest'], unique=False)
        batch_op.drop_column('subject_code')

    with op.batch_alter_table('expert') as batch_op:
        batch_op.alter_column('affiliated_subject_code', existing_type=sa.VARCHAR(length=18), type_=SEALED, existing_nullable=True)
        batch_op.alter_column('contact', existing_type=sa.VARCHAR(length=120), type_=SEALED, existing_nullable=False)
    _rewrite("expert", "id", ("affiliated_subject_code", "contact"),
             lambda r: {"affiliated_subject_code": seal(r[1], "expert.affiliated_subject_code"),
                        "contact": seal(r[2] or "", "expert.contact")})
    with op.batch_alter_table('unit') as batch_op:
        batch_op.alter_column('liaison_phone', existing_type=sa.VARCHAR(length=40), type_=SEALED, existing_nullable=True)
    _rewrite("unit", "id", ("liaison_phone",), lambda r: {"liaison_phone": seal(r[1], "unit.liaison_phone")})

    def determination(r):
        sealed = _seal_json("case.determination", r[1]) if r[1] is not None else None
        return {"determination": sealed} if sealed else {}
    _rewrite("case", "id", ("determination",), determination)


def downgrade():
    def opened_json(r):
        import json
        obj = json.loads(r[1]) if isinstance(r[1], str) else r[1]
        if not isinstance(obj, dict) or not any(is_sealed(v) for v in obj.values()):
            return {}
        return {"determination": json.dumps({k: unseal(v, f"case.determination.{k}") if is_sealed(v) else v
                                             for k, v in obj.items()}, ensure_ascii=False)}
    _rewrite("case", "id", ("determination",), opened_json)
    _rewrite("unit", "id", ("liaison_phone",), lambda r: {"liaison_phone": unseal(r[1], "unit.liaison_phone")})
    with op.batch_alter_table('unit') as batch_op:
        batch_op.alter_column('liaison_phone', existing_type=SEALED, type_=sa.VARCHAR(length=40), existing_nullable=True)
    _rewrite("expert", "id", ("affiliated_subject_code", "contact"),
             lambda r: {"affiliated_subject_code": unseal(r[1], "expert.affiliated_subject_code"),
                        "contact": unseal(r[2], "expert.contact")})
    with op.batch_alter_table('expert') as batch_op:
        batch_op.alter_column('contact', existing_type=SEALED, type_=sa.VARCHAR(length=120), existing_nullable=False)
        batch_op.alter_column('affiliated_subject_code', existing_type=SEALED, type_=sa.VARCHAR(length=18), existing_nullable=True)

    with op.batch_alter_table('credit_check') as batch_op:
        batch_op.add_column(sa.Column('subject_code', sa.VARCHAR(length=18), nullable=True))
    _rewrite("credit_check", "id", ("subject_code_sealed",),
             lambda r: {"subject_code": unseal(r[1], "subject.code")})
    with op.batch_alter_table('credit_check') as batch_op:
        batch_op.alter_column('subject_code', existing_type=sa.VARCHAR(length=18), nullable=False)
        batch_op.drop_index('ix_credit_check_code')
        batch_op.create_index('ix_credit_check_code', ['subject_code'], unique=False)
        batch_op.drop_column('subject_code_digest')
        batch_op.drop_column('subject_code_sealed')

    with op.batch_alter_table('subject') as batch_op:
        batch_op.add_column(sa.Column('code', sa.VARCHAR(length=18), nullable=True))
    _rewrite("subject", "id", ("code_sealed",), lambda r: {"code": unseal(r[1], "subject.code")})
    with op.batch_alter_table('subject') as batch_op:
        batch_op.alter_column('code', existing_type=sa.VARCHAR(length=18), nullable=False)
        batch_op.drop_constraint('uq_subject_code_digest', type_='unique')
        batch_op.create_unique_constraint('uq_subject_code', ['code'])
        batch_op.drop_column('code_digest')
        batch_op.drop_column('code_sealed')
