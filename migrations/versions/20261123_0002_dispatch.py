"""Dispatch: weekly shift calendar, days off, last known position, job assignment fields,
escalations, plan runs and the work-item queue.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 07:31:03.603324
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('work_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('due_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=120), nullable=True),
    sa.Column('lease_until', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('done_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('failed_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_items'))
    )
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_items_done_at'), ['done_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_items_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_items_kind'), ['kind'], unique=False)

    op.create_table('plan_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'applied', 'failed', 'stale', name='planstatus', native_enum=False, length=16), nullable=False),
    sa.Column('time_limit_s', sa.Float(), nullable=False),
    sa.Column('apply_when_done', sa.Boolean(), nullable=False),
    sa.Column('requested_by', sa.String(length=120), nullable=False),
    sa.Column('requested_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('started_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('baseline', sa.String(length=64), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_plan_runs_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_runs'))
    )
    with op.batch_alter_table('plan_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_runs_region_id'), ['region_id'], unique=False)

    op.create_table('technician_days_off',
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['technician_id'], ['technicians.id'], name=op.f('fk_technician_days_off_technician_id_technicians'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('technician_id', 'day', name=op.f('pk_technician_days_off'))
    )
    op.create_table('technician_shifts',
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start', sa.Time(), nullable=False),
    sa.Column('end', sa.Time(), nullable=False),
    sa.Column('break_earliest', sa.Time(), nullable=True),
    sa.Column('break_latest_end', sa.Time(), nullable=True),
    sa.Column('break_minutes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['technician_id'], ['technicians.id'], name=op.f('fk_technician_shifts_technician_id_technicians'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('technician_id', 'weekday', name=op.f('pk_technician_shifts'))
    )
    op.create_table('escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('raised_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_escalations_job_id_jobs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_user_id'], ['users.id'], name=op.f('fk_escalations_resolved_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations'))
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalations_job_id'), ['job_id'], unique=False)

    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dispatch_state', sa.Enum('pending', 'planned', 'unassignable', 'not_needed', name='dispatchstate', native_enum=False, length=16), nullable=False, server_default='pending'))
        batch_op.add_column(sa.Column('dispatch_note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('technician_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('plan_day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('route_position', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('planned_start', core.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('planned_end', core.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('assignment_locked', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_jobs_technician_id'), ['technician_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_jobs_technician_id_technicians'), 'technicians', ['technician_id'], ['id'])

    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('road_factor', sa.Float(), nullable=False, server_default='1.35'))
        batch_op.add_column(sa.Column('speed_kmh', sa.Float(), nullable=False, server_default='28.0'))

    # Jobs that were already finished never need a visit planned.
    op.execute("UPDATE jobs SET dispatch_state = 'not_needed' "
               "WHERE status IN ('completed', 'closed', 'remote_resolved', 'cancelled')")

    # Carry each technician's single shift over as a Monday-to-Friday week before dropping it.
    op.execute("INSERT INTO technician_shifts (technician_id, weekday, start, \"end\", break_minutes) "
               "SELECT t.id, d.weekday, t.shift_start, t.shift_end, 0 FROM technicians t CROSS JOIN "
               "(SELECT 0 AS weekday UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) d")

    with op.batch_alter_table('technicians', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_lat', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('last_lon', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('last_seen_at', core.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.drop_column('shift_start')
        batch_op.drop_column('shift_end')



def downgrade() -> None:
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.drop_column('speed_kmh')
        batch_op.drop_column('road_factor')

    with op.batch_alter_table('technicians', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shift_end', sa.TIME(), nullable=False, server_default='17:00:00'))
        batch_op.add_column(sa.Column('shift_start', sa.TIME(), nullable=False, server_default='08:00:00'))
        batch_op.drop_column('last_seen_at')
        batch_op.drop_column('last_lon')
        batch_op.drop_column('last_lat')

    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_jobs_technician_id_technicians'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_jobs_technician_id'))
        batch_op.drop_column('assignment_locked')
        batch_op.drop_column('planned_end')
        batch_op.drop_column('planned_start')
        batch_op.drop_column('route_position')
        batch_op.drop_column('plan_day')
        batch_op.drop_column('technician_id')
        batch_op.drop_column('dispatch_note')
        batch_op.drop_column('dispatch_state')

    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalations_job_id'))

    op.drop_table('escalations')
    op.drop_table('technician_shifts')
    op.drop_table('technician_days_off')
    with op.batch_alter_table('plan_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_runs_region_id'))

    op.drop_table('plan_runs')
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_items_kind'))
        batch_op.drop_index(batch_op.f('ix_work_items_due_at'))
        batch_op.drop_index(batch_op.f('ix_work_items_done_at'))

    op.drop_table('work_items')
