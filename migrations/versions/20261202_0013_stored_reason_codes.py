"""Reasons stored as a code with its facts beside their English text: a job's dispatch note (the
board's "why waiting"), an escalation's reason and a system event's note, so pages can say them in
the reader's language. Nullable: rows written before keep only their text.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

COLUMNS = {'jobs': ('dispatch_note_code', 'dispatch_note_facts'),
           'escalations': ('reason_code', 'reason_facts'),
           'job_events': ('note_code', 'note_facts')}


def upgrade() -> None:
    for table, (code, facts) in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(code, sa.String(length=48), nullable=True))
            batch.add_column(sa.Column(facts, sa.JSON(), nullable=True))


def downgrade() -> None:
    for table, (code, facts) in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            batch.drop_column(facts)
            batch.drop_column(code)
