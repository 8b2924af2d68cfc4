"""Assessment: one award in force per person and certification (partial unique indexes).

Revision ID: 0004
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = ("micro_certification_id", "skill_block_id", "programme_id")


def upgrade():
    for column in COLUMNS:
        condition = sa.text(f"revoked_at IS NULL AND {column} IS NOT NULL")
        op.create_index(
            f"uq_award_held_{column}",
            "award",
            ["learner_id", column],
            unique=True,
            sqlite_where=condition,
            postgresql_where=condition,
        )


def downgrade():
    for column in COLUMNS:
        op.drop_index(f"uq_award_held_{column}", table_name="award")
