"""A trainer's planning changes read up to a time: the home shows those made later as unread.

Revision ID: 0026
Revises: 0025
"""
from alembic import op
import sqlalchemy as sa

from cfa.models.base import UTCDateTime


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planning_seen_at', UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('planning_seen_at')
