"""verification: PIN hashes, velocity origins, audit session keys and actors; the audit made append-only

Revision ID: 0005_verification
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "0005_verification"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY = "verification_decisions is append-only"


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("pin_hash", sa.String(length=200), nullable=True))
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("origin", sa.String(length=64), nullable=True))
    with op.batch_alter_table("failed_attempts") as batch:
        batch.add_column(sa.Column("origin", sa.String(length=64), nullable=True))
        batch.create_index("ix_failed_attempts_origin_at", ["origin", "at"], unique=False)
    with op.batch_alter_table("verification_decisions") as batch:
        batch.add_column(sa.Column("session_key", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("actor", sa.String(length=80), nullable=True))
        batch.alter_column("conversation_id", existing_type=sa.String(length=32), nullable=True)
        batch.alter_column("reason", existing_type=sa.String(length=80), type_=sa.String(length=200),
                           existing_nullable=True)
    # The audit trail cannot be edited or pruned by the application, whatever a bug might try.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION verification_decisions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$""")
        op.execute("""
            CREATE TRIGGER verification_decisions_append_only BEFORE UPDATE OR DELETE ON verification_decisions
            FOR EACH ROW EXECUTE FUNCTION verification_decisions_append_only()""")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER verification_decisions_no_{action.lower()} BEFORE {action} ON verification_decisions
                BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS verification_decisions_append_only ON verification_decisions")
        op.execute("DROP FUNCTION IF EXISTS verification_decisions_append_only()")
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS verification_decisions_no_{action}")
    with op.batch_alter_table("verification_decisions") as batch:
        batch.alter_column("reason", existing_type=sa.String(length=200), type_=sa.String(length=80),
                           existing_nullable=True)
        batch.alter_column("conversation_id", existing_type=sa.String(length=32), nullable=False)
        batch.drop_column("actor")
        batch.drop_column("session_key")
    with op.batch_alter_table("failed_attempts") as batch:
        batch.drop_index("ix_failed_attempts_origin_at")
        batch.drop_column("origin")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("origin")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("pin_hash")
