"""Whether a half-day's sheet is closed, on the half-day, with a partial index of those not closed: the sheets to
finish were an anti-join over every sheet of the history.

Revision ID: 0028
Revises: 0027
"""
from alembic import op
import sqlalchemy as sa


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sheet_closed', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(
        "UPDATE session SET sheet_closed = true WHERE EXISTS (SELECT 1 FROM attendance_sheet"
        " WHERE attendance_sheet.session_id = session.id AND attendance_sheet.closed_at IS NOT NULL)"
    )
    with op.batch_alter_table('session', schema=None) as batch_op:
        batch_op.create_index(
            'ix_session_unfinished',
            ['date'],
            unique=False,
            sqlite_where=sa.text('sheet_closed = 0'),
            postgresql_where=sa.text('NOT sheet_closed'),
        )


def downgrade():
    with op.batch_alter_table('session', schema=None) as batch_op:
        batch_op.drop_index('ix_session_unfinished', sqlite_where=sa.text('sheet_closed = 0'),
                            postgresql_where=sa.text('NOT sheet_closed'))
        batch_op.drop_column('sheet_closed')
