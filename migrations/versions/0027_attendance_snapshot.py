"""Closed years' attendance totals kept for the quality dashboard (a year of the network's marks takes seconds),
and the versions of the years they were computed at.

Revision ID: 0027
Revises: 0026
"""
from alembic import op
import sqlalchemy as sa

from cfa.models.base import UTCDateTime


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'attendance_snapshot',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('attended', sa.BigInteger(), nullable=False),
        sa.Column('scheduled', sa.BigInteger(), nullable=False),
        sa.Column('computed_at', UTCDateTime(), nullable=False),
        sa.Column('year_version', sa.Integer(), nullable=False),
        sa.Column('all_version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_snapshot')),
        sa.UniqueConstraint('key', name=op.f('uq_attendance_snapshot_key')),
    )
    with op.batch_alter_table('attendance_snapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_snapshot_year'), ['year'], unique=False)
    op.create_table(
        'attendance_year_version',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('year', name=op.f('pk_attendance_year_version')),
    )


def downgrade():
    # Only figures computed from the marks and counters of writes: nothing is lost by dropping them.
    op.drop_table('attendance_year_version')
    op.drop_table('attendance_snapshot')
