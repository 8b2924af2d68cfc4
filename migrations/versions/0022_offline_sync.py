"""Attendance without network: the writes devices sent late (one per id the device chose), and the device's clock
when a signature was drawn offline.

Revision ID: 0022
Revises: 0021
"""
from alembic import op
import sqlalchemy as sa

import cfa.models.base


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('offline_write',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('based_on_version', sa.Integer(), nullable=False),
    sa.Column('device_at', cfa.models.base.UTCDateTime(), nullable=False),
    sa.Column('received_at', cfa.models.base.UTCDateTime(), nullable=False),
    sa.Column('outcome', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['session.id'], name=op.f('fk_offline_write_session_id_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_offline_write_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_write')),
    sa.UniqueConstraint('client_id', name=op.f('uq_offline_write_client_id'))
    )
    with op.batch_alter_table('offline_write', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offline_write_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offline_write_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('attendance_mark', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_on_device_at', cfa.models.base.UTCDateTime(), nullable=True))

    with op.batch_alter_table('attendance_sheet', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trainer_signed_on_device_at', cfa.models.base.UTCDateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('attendance_sheet', schema=None) as batch_op:
        batch_op.drop_column('trainer_signed_on_device_at')

    with op.batch_alter_table('attendance_mark', schema=None) as batch_op:
        batch_op.drop_column('signed_on_device_at')

    with op.batch_alter_table('offline_write', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offline_write_user_id'))
        batch_op.drop_index(batch_op.f('ix_offline_write_session_id'))

    op.drop_table('offline_write')
