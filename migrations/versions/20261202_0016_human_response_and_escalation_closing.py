"""SLA clocks that mean what they say: who first responded to the customer and how; escalations
acknowledged and resolved by a named person with a note; pauses that move the stored deadlines.

Responses recorded before this revision keep their time with no kind (they may have been automatic
steps). Deadlines of jobs whose pauses have already ended are moved by the paused time, as the SLA watch
used to add it when reading (time inside the clock, wall time), so every reader now finds it stored.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-02 18:00:00
"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa
import core.db


revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs') as batch:
        batch.add_column(sa.Column('responded_by_user_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('response_kind', sa.Enum('contact', 'accepted', 'window_confirmed',
                                                            'resolved_remotely', 'cancelled', name='responsekind',
                                                            native_enum=False, length=24), nullable=True))
        batch.create_foreign_key('fk_jobs_responded_by_user_id_users', 'users', ['responded_by_user_id'], ['id'])
    with op.batch_alter_table('escalations') as batch:
        batch.add_column(sa.Column('acknowledged_at', core.db.UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('acknowledged_by_user_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('acknowledged_note', sa.Text(), server_default='', nullable=False))
        batch.add_column(sa.Column('resolved_at', core.db.UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('resolved_by_user_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('resolution_note', sa.Text(), server_default='', nullable=False))
        batch.create_foreign_key('fk_escalations_acknowledged_by_user_id_users', 'users',
                                 ['acknowledged_by_user_id'], ['id'])
        batch.create_foreign_key('fk_escalations_resolved_by_user_id_users', 'users', ['resolved_by_user_id'], ['id'])
    _store_ended_pauses()


def _aware(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _overlap(start, end, pauses):
    total = None
    for started, ended in pauses:
        lo, hi = max(start, started), min(end, ended)
        if hi > lo:
            total = (hi - lo) if total is None else total + (hi - lo)
    return total


def _store_ended_pauses() -> None:
    bind = op.get_bind()
    jobs = sa.table('jobs', sa.column('id'), sa.column('reported_at', core.db.UtcDateTime(timezone=True)),
                    sa.column('respond_by', core.db.UtcDateTime(timezone=True)),
                    sa.column('repair_by', core.db.UtcDateTime(timezone=True)),
                    sa.column('responded_at', core.db.UtcDateTime(timezone=True)),
                    sa.column('resolved_at', core.db.UtcDateTime(timezone=True)))
    pauses = sa.table('sla_pauses', sa.column('job_id'), sa.column('started_at', core.db.UtcDateTime(timezone=True)),
                      sa.column('ended_at', core.db.UtcDateTime(timezone=True)))
    by_job: dict[int, list] = {}
    for job_id, started, ended in bind.execute(sa.select(pauses.c.job_id, pauses.c.started_at, pauses.c.ended_at)
                                               .where(pauses.c.ended_at.is_not(None))):
        by_job.setdefault(job_id, []).append((_aware(started), _aware(ended)))
    for job_id, intervals in by_job.items():
        row = bind.execute(sa.select(jobs).where(jobs.c.id == job_id)).one()
        reported = _aware(row.reported_at)
        values = {}
        for column, due, stopped in (('respond_by', row.respond_by, row.responded_at),
                                     ('repair_by', row.repair_by, row.resolved_at)):
            end = _aware(stopped) or max(ended for _, ended in intervals)
            moved = _overlap(reported, end, intervals)
            if moved is not None:
                values[column] = _aware(due) + moved
        if values:
            bind.execute(jobs.update().where(jobs.c.id == job_id).values(**values))


def downgrade() -> None:
    with op.batch_alter_table('escalations') as batch:
        batch.drop_constraint('fk_escalations_resolved_by_user_id_users', type_='foreignkey')
        batch.drop_constraint('fk_escalations_acknowledged_by_user_id_users', type_='foreignkey')
        batch.drop_column('resolution_note')
        batch.drop_column('resolved_by_user_id')
        batch.drop_column('resolved_at')
        batch.drop_column('acknowledged_note')
        batch.drop_column('acknowledged_by_user_id')
        batch.drop_column('acknowledged_at')
    with op.batch_alter_table('jobs') as batch:
        batch.drop_constraint('fk_jobs_responded_by_user_id_users', type_='foreignkey')
        batch.drop_column('response_kind')
        batch.drop_column('responded_by_user_id')
