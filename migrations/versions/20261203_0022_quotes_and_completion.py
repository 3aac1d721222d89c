"""Paid repairs and proof: the labour price list (with the call-out fee), a job's quote and its part lines,
and the completion record (time on site, payment, signature, the repair's own warranty).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 07:34:02
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('labour_prices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('skill', sa.String(length=40), nullable=False),
    sa.Column('category', sa.Enum('quality_defect', 'usage_question', 'return_exchange', 'installation', name='jobcategory', native_enum=False, length=24), nullable=True),
    sa.Column('labour', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('call_out_fee', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_labour_prices')),
    sa.UniqueConstraint('code', name=op.f('uq_labour_prices_code')),
    sa.UniqueConstraint('skill', 'category', name='uq_labour_prices_skill_category')
    )
    op.create_table('completion_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('on_site_minutes', sa.Integer(), nullable=False),
    sa.Column('amount_paid', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('payment_method', sa.String(length=16), nullable=True),
    sa.Column('signature_name', sa.String(length=64), nullable=True),
    sa.Column('signature_bytes', sa.Integer(), nullable=True),
    sa.Column('warranty_days', sa.Integer(), nullable=False),
    sa.Column('warranty_until', sa.Date(), nullable=False),
    sa.Column('recorded_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_completion_records_job_id_jobs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['technician_id'], ['technicians.id'], name=op.f('fk_completion_records_technician_id_technicians')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_completion_records')),
    sa.UniqueConstraint('job_id', name=op.f('uq_completion_records_job_id')),
    sa.UniqueConstraint('signature_name', name=op.f('uq_completion_records_signature_name'))
    )
    op.create_table('quotes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'approved', 'declined', name='quotestate', native_enum=False, length=16), nullable=False),
    sa.Column('labour', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('call_out_fee', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('parts_total', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('total', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('decided_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=120), nullable=True),
    sa.Column('amount_due', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_quotes_job_id_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quotes')),
    sa.UniqueConstraint('job_id', name=op.f('uq_quotes_job_id'))
    )
    op.create_table('quote_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quote_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['part_id'], ['parts.id'], name=op.f('fk_quote_lines_part_id_parts')),
    sa.ForeignKeyConstraint(['quote_id'], ['quotes.id'], name=op.f('fk_quote_lines_quote_id_quotes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quote_lines'))
    )
    with op.batch_alter_table('quote_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quote_lines_quote_id'), ['quote_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('quote_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quote_lines_quote_id'))

    op.drop_table('quote_lines')
    op.drop_table('quotes')
    op.drop_table('completion_records')
    op.drop_table('labour_prices')
