"""Attendance sheets that hold in an audit: why a learner did not sign, why a sheet closed early, one mark for a
late arrival and an early leave together, and the index the roll call needs on attendance_mark.sheet_id.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UNSIGNED_REASONS = ("paper", "refused", "left_before_signing", "other")
MINUTES_MATCH_STATUS = (
    "(status = 'present' AND minutes_late = 0 AND minutes_left_early = 0)"
    " OR (status = 'late' AND minutes_late > 0)"
    " OR (status = 'left_early' AND minutes_late = 0 AND minutes_left_early > 0)"
    " OR status = 'absent'"
)


def upgrade():
    with op.batch_alter_table("attendance_sheet", schema=None) as batch_op:
        batch_op.add_column(sa.Column("early_close_reason", sa.String(length=300), nullable=True))

    with op.batch_alter_table("attendance_mark", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "unsigned_reason",
                sa.Enum(*UNSIGNED_REASONS, name="unsigned_reason", native_enum=False, create_constraint=True, length=24),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("unsigned_note", sa.String(length=300), nullable=True))
        batch_op.create_index(batch_op.f("ix_attendance_mark_sheet_id"), ["sheet_id"], unique=False)
        batch_op.create_check_constraint("minutes_match_status", MINUTES_MATCH_STATUS)
        batch_op.create_check_constraint(
            "other_reason_explained", "unsigned_reason <> 'other' OR unsigned_note IS NOT NULL"
        )


def downgrade():
    with op.batch_alter_table("attendance_mark", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_attendance_mark_other_reason_explained"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_attendance_mark_minutes_match_status"), type_="check")
        batch_op.drop_index(batch_op.f("ix_attendance_mark_sheet_id"))
        batch_op.drop_constraint(batch_op.f("ck_attendance_mark_unsigned_reason"), type_="check")
        batch_op.drop_column("unsigned_note")
        batch_op.drop_column("unsigned_reason")

    with op.batch_alter_table("attendance_sheet", schema=None) as batch_op:
        batch_op.drop_column("early_close_reason")
