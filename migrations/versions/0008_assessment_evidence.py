"""Assessment evidence: every convocation keeps the date it was issued.

jury_candidate.convened_at becomes required. Candidates convened before this revision never had it stored:
their convocation was issued when they were added to the session, so that moment (created_at) is kept.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

import cfa.models.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text("UPDATE jury_candidate SET convened_at = created_at WHERE convened_at IS NULL"))
    with op.batch_alter_table("jury_candidate") as batch:
        batch.alter_column("convened_at", existing_type=cfa.models.base.UTCDateTime(), nullable=False)


def downgrade():
    with op.batch_alter_table("jury_candidate") as batch:
        batch.alter_column("convened_at", existing_type=cfa.models.base.UTCDateTime(), nullable=True)
