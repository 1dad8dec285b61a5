"""handoff outcomes: how each voice handoff ended, from Twilio's <Dial>/<Enqueue> callbacks

Revision ID: 0010_handoffs
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0010_handoffs"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoff_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=80), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("wait_seconds", sa.Integer(), nullable=True),
        sa.Column("talk_seconds", sa.Integer(), nullable=True),
        sa.Column("twilio_status", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handoff_outcomes_started", "handoff_outcomes", ["started_at"])
    op.create_index("ix_handoff_outcomes_call", "handoff_outcomes", ["call_sid", "id"])


def downgrade() -> None:
    op.drop_index("ix_handoff_outcomes_call", table_name="handoff_outcomes")
    op.drop_index("ix_handoff_outcomes_started", table_name="handoff_outcomes")
    op.drop_table("handoff_outcomes")
