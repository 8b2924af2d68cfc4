"""Attendance follow-up: index the trainer who closed a sheet (the controls join sheets on it).

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_attendance_sheet_closed_by_id", "attendance_sheet", ["closed_by_id"])


def downgrade():
    op.drop_index("ix_attendance_sheet_closed_by_id", table_name="attendance_sheet")
