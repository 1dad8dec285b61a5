"""the supervisors' console: accounts, sessions, login failures, an append-only console audit;
callback requests and voicemails become work queues (new -> claimed -> done)

Revision ID: 0009_console
Revises: 0006_after_hours
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_console"
# The new tables need only 0001; the work-queue columns alter the tables 0006_after_hours created.
down_revision = "0006_after_hours"
branch_labels = None
depends_on = None

APPEND_ONLY = "console_audit is append-only"
WORK_COLUMNS = ("claimed_by", "claimed_at", "done_at", "outcome")


def _work_columns() -> list[sa.Column]:
    return [sa.Column("claimed_by", sa.String(length=80), nullable=True),
            sa.Column("claimed_at", sa.DateTime(), nullable=True),
            sa.Column("done_at", sa.DateTime(), nullable=True),
            sa.Column("outcome", sa.String(length=40), nullable=True)]


def upgrade() -> None:
    op.create_table(
        "console_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(), nullable=True),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["console_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_console_sessions_user_id", "console_sessions", ["user_id"])
    op.create_table(
        "console_login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_console_login_failures_account_at", "console_login_failures", ["account", "at"])
    op.create_index("ix_console_login_failures_address_at", "console_login_failures", ["address", "at"])
    op.create_table(
        "console_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_console_audit_at", "console_audit", ["at"])
    # Who did what cannot be edited or pruned by the application, whatever a bug might try.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION console_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$""")
        op.execute("""
            CREATE TRIGGER console_audit_append_only BEFORE UPDATE OR DELETE ON console_audit
            FOR EACH ROW EXECUTE FUNCTION console_audit_append_only()""")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER console_audit_no_{action.lower()} BEFORE {action} ON console_audit
                BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""")

    # Callback requests: "open" becomes "new"; voicemails get the same queue columns.
    with op.batch_alter_table("callback_requests") as batch:
        for column in _work_columns():
            batch.add_column(column)
    op.execute("UPDATE callback_requests SET status = 'new' WHERE status = 'open'")
    with op.batch_alter_table("voicemails") as batch:
        batch.add_column(sa.Column("status", sa.String(length=16), nullable=False, server_default="new"))
        for column in _work_columns():
            batch.add_column(column)
    with op.batch_alter_table("voicemails") as batch:
        # The default filled existing rows; new rows get theirs from the model, as every other column.
        batch.alter_column("status", existing_type=sa.String(length=16), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("voicemails") as batch:
        for name in (*WORK_COLUMNS, "status"):
            batch.drop_column(name)
    op.execute("UPDATE callback_requests SET status = 'open' WHERE status IN ('new', 'claimed')")
    with op.batch_alter_table("callback_requests") as batch:
        for name in WORK_COLUMNS:
            batch.drop_column(name)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS console_audit_append_only ON console_audit")
        op.execute("DROP FUNCTION IF EXISTS console_audit_append_only()")
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS console_audit_no_{action}")
    op.drop_index("ix_console_audit_at", table_name="console_audit")
    op.drop_table("console_audit")
    op.drop_index("ix_console_login_failures_address_at", table_name="console_login_failures")
    op.drop_index("ix_console_login_failures_account_at", table_name="console_login_failures")
    op.drop_table("console_login_failures")
    op.drop_index("ix_console_sessions_user_id", table_name="console_sessions")
    op.drop_table("console_sessions")
    op.drop_table("console_users")
