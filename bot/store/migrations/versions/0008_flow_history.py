"""flow publications record why: a message and the conversation tests' results

Revision ID: 0008_flow_history
Revises: 0004_flows
"""
from alembic import op
import sqlalchemy as sa

revision = "0008_flow_history"
down_revision = "0004_flows"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("flow_publications") as batch:
        batch.add_column(sa.Column("message", sa.Text(), nullable=True))
        # None: the tests were not run (--skip-tests, a rollback, the first start).
        batch.add_column(sa.Column("tests_passed", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("tests_failed", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("flow_publications") as batch:
        batch.drop_column("tests_failed")
        batch.drop_column("tests_passed")
        batch.drop_column("message")
