"""customer numbers: issued numbers, their status audit, and the keypad form of customers' numbers

Revision ID: 0002_numbers
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "0002_numbers"
down_revision = "0001"
branch_labels = None
depends_on = None

# Migrations never import application code (it changes; a migration must replay as written),
# so the phone keypad is frozen here to back-fill customers imported before this revision.
_KEYPAD = str.maketrans({letter: key for key, letters in {
    "2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO", "7": "PQRS", "8": "TUV", "9": "WXYZ",
}.items() for letter in letters})


def upgrade() -> None:
    op.create_table(
        "issued_numbers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("scheme", sa.String(length=40), nullable=False),
        sa.Column("prefix", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("issued_numbers", schema=None) as batch_op:
        batch_op.create_index("ix_issued_numbers_prefix", ["scheme", "prefix"], unique=False)

    op.create_table(
        "number_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("old", sa.String(length=20), nullable=True),
        sa.Column("new", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("changed_by", sa.String(length=80), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("number_status_changes", schema=None) as batch_op:
        batch_op.create_index("ix_number_status_changes_number", ["number", "at"], unique=False)

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("keypad_form", sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f("ix_customers_keypad_form"), ["keypad_form"], unique=False)

    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, customer_number FROM customers")).all()
    updates = [{"id": row.id, "keypad_form": row.customer_number.upper().translate(_KEYPAD)} for row in rows]
    if updates:
        connection.execute(sa.text("UPDATE customers SET keypad_form = :keypad_form WHERE id = :id"), updates)


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_keypad_form"))
        batch_op.drop_column("keypad_form")

    with op.batch_alter_table("number_status_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_number_status_changes_number")
    op.drop_table("number_status_changes")

    with op.batch_alter_table("issued_numbers", schema=None) as batch_op:
        batch_op.drop_index("ix_issued_numbers_prefix")
    op.drop_table("issued_numbers")
