"""callback requests and voicemails for closed departments

Revision ID: 0006_after_hours
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_after_hours"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "callback_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=80), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_callback_requests_department", "callback_requests", ["department"])
    op.create_table(
        "voicemails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=80), nullable=False),
        sa.Column("recording_url", sa.String(length=500), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("left_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_voicemails_department", "voicemails", ["department"])


def downgrade() -> None:
    op.drop_index("ix_voicemails_department", table_name="voicemails")
    op.drop_table("voicemails")
    op.drop_index("ix_callback_requests_department", table_name="callback_requests")
    op.drop_table("callback_requests")
