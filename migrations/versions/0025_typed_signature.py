"""Signing without drawing: the typed signature method, and how the trainer signed a closed sheet.

Revision ID: 0025
Revises: 0024
"""
from alembic import op
import sqlalchemy as sa


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

OLD = ('trainer_device', 'own_device', 'qr')
NEW = (*OLD, 'typed')


def _method(values):
    return sa.Enum(*values, name='signature_method', native_enum=False, create_constraint=True, length=24)


def _allowed(values):
    return "signature_method IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    with op.batch_alter_table('attendance_mark', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_attendance_mark_signature_method'), type_='check')
        batch_op.create_check_constraint('signature_method', _allowed(NEW))
    with op.batch_alter_table('attendance_sheet', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trainer_signature_method', _method(NEW), nullable=True))


def downgrade():
    # A signature's method is part of a legal record: never rewrite it to go back.
    typed = op.get_bind().scalar(sa.text(
        "SELECT count(*) FROM attendance_mark WHERE signature_method = 'typed'"
        " UNION ALL SELECT count(*) FROM attendance_sheet WHERE trainer_signature_method = 'typed'"
        " ORDER BY 1 DESC LIMIT 1"
    ))
    if typed:
        raise RuntimeError("Des signatures par code saisi existent : impossible de revenir avant la migration 0022.")
    with op.batch_alter_table('attendance_sheet', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_attendance_sheet_signature_method'), type_='check')
        batch_op.drop_column('trainer_signature_method')
    with op.batch_alter_table('attendance_mark', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_attendance_mark_signature_method'), type_='check')
        batch_op.create_check_constraint('signature_method', _allowed(OLD))
