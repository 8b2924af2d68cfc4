"""Indexes for a network's history: sessions by update (the API's changed_since) and by module, cohorts by end date
and lead trainer, module assignments by trainer, justifications by status.

Revision ID: 0024
Revises: 0023
"""
from alembic import op


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

INDEXES = [
    ('session', 'ix_session_updated_at', ['updated_at']),
    ('session', 'ix_session_module_id', ['module_id']),
    ('cohort', 'ix_cohort_end_date', ['end_date']),
    ('cohort', 'ix_cohort_lead_trainer_id', ['lead_trainer_id']),
    ('module_assignment', 'ix_module_assignment_trainer_id', ['trainer_id']),
    ('justification', 'ix_justification_status', ['status']),
]


def upgrade():
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for table, name, _ in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
