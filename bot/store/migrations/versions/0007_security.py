"""security: answers sealed at rest, MessageSids processed once, clear-text answers of ended conversations removed

Revision ID: 0007_security
Revises: 0005_verification

- conversations.state becomes text on PostgreSQL (it holds a sealed value now; SQLite keeps any text
  in its JSON column), customers.pin_hash is widened for the sealed form.
- processed_messages: every SMS/WhatsApp MessageSid, unique.
- Rows written before sealing: ended conversations lose what could hold an answer now (the reply
  stored for a retry, and any reading waiting for a yes/no or part of a number in their state);
  open ones, and PIN hashes, are read as they are and sealed when next written, or at once by
  `bot data rekey` (which `bot db upgrade` runs when a data key is configured).
"""
import json

from alembic import op
import sqlalchemy as sa

revision = "0007_security"
down_revision = "0005_verification"
branch_labels = None
depends_on = None

ANSWER_FIELDS = ("pending", "partial")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE conversations ALTER COLUMN state TYPE TEXT USING state::text")
        op.execute("ALTER TABLE customers ALTER COLUMN pin_hash TYPE VARCHAR(400)")
    op.create_table(
        "processed_messages",
        sa.Column("message_sid", sa.String(length=64), nullable=False),
        sa.Column("conversation_key", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("message_sid"),
    )
    op.create_index("ix_processed_messages_at", "processed_messages", ["at"])
    conversations = sa.table("conversations", sa.column("id", sa.String), sa.column("status", sa.String),
                             sa.column("state", sa.Text), sa.column("last_response", sa.Text))
    closed = bind.execute(sa.select(conversations.c.id, conversations.c.state)
                          .where(conversations.c.status == "closed")).all()
    for row_id, raw in closed:
        try:
            state = json.loads(raw) if isinstance(raw, str) else (raw or {})
        except ValueError:
            state = {}
        if isinstance(state, dict):
            state.update({field: None for field in ANSWER_FIELDS})
            state["factors"] = {}
        bind.execute(conversations.update().where(conversations.c.id == row_id)
                     .values(state=json.dumps(state), last_response=None))


def downgrade() -> None:
    # The older code cannot open sealed values: sealed conversation state is dropped (its turns end),
    # and sealed PIN hashes no longer match until the PINs are imported again.
    op.drop_index("ix_processed_messages_at", table_name="processed_messages")
    op.drop_table("processed_messages")
    op.execute("UPDATE conversations SET state = '{}', last_response = NULL WHERE state LIKE 'fd1.%'")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE customers ALTER COLUMN pin_hash TYPE VARCHAR(200)")
        op.execute("ALTER TABLE conversations ALTER COLUMN state TYPE JSON USING state::json")
