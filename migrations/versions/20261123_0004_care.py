"""Close the loop: callback plans, outbox messages, surveys, follow-up tasks, SLA watch (pauses and
alerts), and attainment targets on SLA policies.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _enum(*values: str, name: str, length: int) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=length)


def upgrade() -> None:
    op.create_table('callback_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_line', sa.String(length=60), nullable=True),
    sa.Column('survey_delay_minutes', sa.Integer(), nullable=False),
    sa.Column('answer_window_minutes', sa.Integer(), nullable=False),
    sa.Column('checkin_days', sa.JSON(), nullable=False),
    sa.Column('checkin_business_only', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callback_plans')),
    sa.UniqueConstraint('product_line', name=op.f('uq_callback_plans_product_line'))
    )
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', _enum('email', 'webhook', name='messagechannel', length=16), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('state', _enum('pending', 'sent', 'failed', 'undeliverable', name='deliverystate', length=16),
              nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_outbox_messages_job_id_jobs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_messages_job_id'), ['job_id'], unique=False)

    op.create_table('sla_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('clock', _enum('response', 'resolution', name='slaclock', length=16), nullable=False),
    sa.Column('kind', _enum('warning', 'breach', name='alertkind', length=16), nullable=False),
    sa.Column('at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('deadline', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('cause', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_sla_alerts_job_id_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_alerts')),
    sa.UniqueConstraint('job_id', 'clock', 'kind', name='uq_sla_alerts_job_clock_kind')
    )
    with op.batch_alter_table('sla_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sla_alerts_at'), ['at'], unique=False)

    op.create_table('sla_pauses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('started_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('started_by', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_sla_pauses_job_id_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_pauses'))
    )
    with op.batch_alter_table('sla_pauses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sla_pauses_job_id'), ['job_id'], unique=False)

    op.create_table('surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('send_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('answer_window_minutes', sa.Integer(), nullable=False),
    sa.Column('sent_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('answered_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('fixed', sa.Boolean(), nullable=True),
    sa.Column('problem_areas', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('outcome', _enum('satisfied', 'follow_up_visit', 'supervisor_call', name='surveyoutcome', length=20),
              nullable=True),
    sa.Column('unanswered_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_surveys_job_id_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surveys')),
    sa.UniqueConstraint('token', name=op.f('uq_surveys_token'))
    )
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_surveys_answered_at'), ['answered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_surveys_job_id'), ['job_id'], unique=False)

    op.create_table('follow_up_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', _enum('phone_callback', 'case_reopened', 'supervisor_call', 'supervisor_review', 'check_in',
                            name='taskkind', length=24), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=True),
    sa.Column('assignee_user_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('due_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('done_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('done_by_user_id', sa.Integer(), nullable=True),
    sa.Column('outcome', _enum('resolved', 'follow_up', 'no_answer', 'wrong_number', name='taskoutcome', length=16),
              nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_user_id'], ['users.id'], name=op.f('fk_follow_up_tasks_assignee_user_id_users')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_follow_up_tasks_customer_id_customers')),
    sa.ForeignKeyConstraint(['done_by_user_id'], ['users.id'], name=op.f('fk_follow_up_tasks_done_by_user_id_users')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_follow_up_tasks_job_id_jobs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_follow_up_tasks_survey_id_surveys'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_tasks'))
    )
    with op.batch_alter_table('follow_up_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_follow_up_tasks_assignee_open', ['assignee_user_id', 'done_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_tasks_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_tasks_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_tasks_job_id'), ['job_id'], unique=False)

    # Existing policies get the usual attainment targets; the dashboard measures against them.
    with op.batch_alter_table('sla_policies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('respond_target', sa.Float(), server_default=sa.text('0.95'), nullable=False))
        batch_op.add_column(sa.Column('repair_target', sa.Float(), server_default=sa.text('0.9'), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('sla_policies', schema=None) as batch_op:
        batch_op.drop_column('repair_target')
        batch_op.drop_column('respond_target')

    with op.batch_alter_table('follow_up_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_tasks_job_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_tasks_due_at'))
        batch_op.drop_index(batch_op.f('ix_follow_up_tasks_customer_id'))
        batch_op.drop_index('ix_follow_up_tasks_assignee_open')
    op.drop_table('follow_up_tasks')

    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_surveys_job_id'))
        batch_op.drop_index(batch_op.f('ix_surveys_answered_at'))
    op.drop_table('surveys')

    with op.batch_alter_table('sla_pauses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sla_pauses_job_id'))
    op.drop_table('sla_pauses')

    with op.batch_alter_table('sla_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sla_alerts_at'))
    op.drop_table('sla_alerts')

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_job_id'))
    op.drop_table('outbox_messages')
    op.drop_table('callback_plans')
