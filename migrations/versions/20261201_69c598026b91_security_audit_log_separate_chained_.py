"""security audit log (separate, chained, append-only)

Revision ID: 69c598026b91
Revises: 438916e1a49d
Create Date: 2026-12-01 17:13:43.419008

"""
from alembic import op
import sqlalchemy as sa

import app.db_types


# revision identifiers, used by Alembic.
revision = '69c598026b91'
down_revision = '438916e1a49d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('security_log_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_log_head'))
    )
    op.create_table('security_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=60), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_key', sa.String(length=80), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('alg', sa.String(length=20), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_security_event_actor_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_event')),
    sa.UniqueConstraint('seq', name=op.f('uq_security_event_seq'))
    )
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_event_kind'), ['kind'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        # Append-only: the database itself refuses to change or delete an audit event.
        op.execute("""
            CREATE FUNCTION xl_security_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'security_event is append-only'; END $$""")
        op.execute("""
            CREATE TRIGGER security_event_append_only BEFORE UPDATE OR DELETE ON security_event
            FOR EACH ROW EXECUTE FUNCTION xl_security_event_append_only()""")

    # ### end Alembic commands ###


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS security_event_append_only ON security_event")
        op.execute("DROP FUNCTION IF EXISTS xl_security_event_append_only()")
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_event_kind'))
        batch_op.drop_index(batch_op.f('ix_security_event_at'))
        batch_op.drop_index(batch_op.f('ix_security_event_actor_id'))

    op.drop_table('security_event')
    op.drop_table('security_log_head')
    # ### end Alembic commands ###
