"""Planning evidence: sessions changed by hand, trainers taken off a session, the skill blocks a cohort was taught.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("session") as batch:
        batch.add_column(sa.Column("manual", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("moved_from_date", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column(
                "moved_from_half_day",
                sa.Enum("am", "pm", name="moved_from_half_day", native_enum=False, create_constraint=True, length=24),
                nullable=True,
            )
        )
    op.create_table(
        "session_release",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("session.id", ondelete="CASCADE"), nullable=False),
        sa.Column("trainer_id", sa.Integer(), sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("released_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("session_id", "trainer_id"),
    )
    op.create_index("ix_session_release_session_id", "session_release", ["session_id"])
    op.create_index("ix_session_release_trainer_id", "session_release", ["trainer_id"])
    op.create_table(
        "cohort_skill_block",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("cohort_id", sa.Integer(), sa.ForeignKey("cohort.id", ondelete="CASCADE"), nullable=False),
        sa.Column("skill_block_id", sa.Integer(), sa.ForeignKey("skill_block.id", ondelete="SET NULL"), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.UniqueConstraint("cohort_id", "position"),
    )
    op.create_index("ix_cohort_skill_block_cohort_id", "cohort_skill_block", ["cohort_id"])
    # Cohorts that exist were taught the blocks as they stand today: keep that version for each of them.
    op.execute(
        "INSERT INTO cohort_skill_block (cohort_id, skill_block_id, position, code, title, description) "
        "SELECT cohort.id, skill_block.id, skill_block.position, skill_block.code, skill_block.title, "
        "skill_block.description FROM cohort JOIN skill_block ON skill_block.programme_id = cohort.programme_id"
    )
    op.create_index("ix_audit_event_entity_at", "audit_event", ["entity", "at"])


def downgrade():
    op.drop_index("ix_audit_event_entity_at", table_name="audit_event")
    op.drop_index("ix_cohort_skill_block_cohort_id", table_name="cohort_skill_block")
    op.drop_table("cohort_skill_block")
    op.drop_index("ix_session_release_trainer_id", table_name="session_release")
    op.drop_index("ix_session_release_session_id", table_name="session_release")
    op.drop_table("session_release")
    with op.batch_alter_table("session") as batch:
        batch.drop_column("moved_from_half_day")
        batch.drop_column("moved_from_date")
        batch.drop_column("manual")
