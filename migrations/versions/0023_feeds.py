"""The time of the last change of centres, rooms and modules: calendar feeds show their names, and their ETag,
computed before rendering, must change when one is renamed.

Revision ID: 0023
Revises: 0022
"""
from alembic import op
import sqlalchemy as sa

import cfa.models.base


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

TABLES = ('centre', 'room', 'module')


def upgrade():
    # Existing rows get the migration's time, in UTC as the column stores it (SQLite's CURRENT_TIMESTAMP is UTC).
    utc_now = sa.text("(now() at time zone 'utc')") if op.get_bind().dialect.name == 'postgresql' else sa.func.now()
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('updated_at', cfa.models.base.UTCDateTime(), nullable=False, server_default=utc_now)
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('updated_at', server_default=None)


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('updated_at')
