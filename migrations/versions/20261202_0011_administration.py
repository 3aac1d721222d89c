"""What an organisation sets up from empty: a user's language, a region's time zone, service area
and business hours, technicians' home address and certification expiry, a model's minimum skill
level, per-component warranty terms and the repeat-repair rule, SLA policies by category and
priority (optionally on business hours), parts' Chinese names and customer price, and the audit of
administrative changes.

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-02 10:30:00
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('locale', sa.String(length=8), nullable=True))
    with op.batch_alter_table('regions') as batch:
        batch.add_column(sa.Column('time_zone', sa.String(length=64), nullable=False,
                                   server_default='Asia/Shanghai'))
        batch.add_column(sa.Column('service_radius_km', sa.Float(), nullable=True))
    op.create_table(
        'region_business_hours',
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('opens', sa.Time(), nullable=False),
        sa.Column('closes', sa.Time(), nullable=False),
        sa.ForeignKeyConstraint(['region_id'], ['regions.id'], ondelete='CASCADE',
                                name=op.f('fk_region_business_hours_region_id_regions')),
        sa.PrimaryKeyConstraint('region_id', 'weekday', name=op.f('pk_region_business_hours')),
    )
    with op.batch_alter_table('technicians') as batch:
        batch.add_column(sa.Column('home_address', sa.String(length=255), nullable=False, server_default=''))
    with op.batch_alter_table('technician_skills') as batch:
        batch.add_column(sa.Column('certified_until', sa.Date(), nullable=True))
    with op.batch_alter_table('product_models') as batch:
        batch.add_column(sa.Column('min_skill_level', sa.Integer(), nullable=False, server_default='1'))
    with op.batch_alter_table('warranty_policies') as batch:
        batch.add_column(sa.Column('repeat_repair_limit', sa.Integer(), nullable=False, server_default='2'))
    op.create_table(
        'warranty_component_terms',
        sa.Column('policy_id', sa.Integer(), nullable=False),
        sa.Column('component', sa.String(length=60), nullable=False),
        sa.Column('free_repair_months', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['policy_id'], ['warranty_policies.id'], ondelete='CASCADE',
                                name=op.f('fk_warranty_component_terms_policy_id_warranty_policies')),
        sa.PrimaryKeyConstraint('policy_id', 'component', name=op.f('pk_warranty_component_terms')),
    )
    with op.batch_alter_table('sla_policies') as batch:
        batch.add_column(sa.Column('priority', sa.String(length=12), nullable=True))
        batch.add_column(sa.Column('business_hours_only', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.drop_constraint('uq_sla_policies_category', type_='unique')
        batch.create_unique_constraint('uq_sla_policies_category_priority', ['category', 'priority'])
    with op.batch_alter_table('parts') as batch:
        batch.add_column(sa.Column('name_zh', sa.String(length=160), nullable=False, server_default=''))
        batch.add_column(sa.Column('customer_price', sa.Numeric(precision=12, scale=2), nullable=True))
    op.create_table(
        'admin_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('at', core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_changes')),
    )
    op.create_index('ix_admin_changes_kind_key', 'admin_changes', ['kind', 'key'])


def downgrade() -> None:
    op.drop_index('ix_admin_changes_kind_key', table_name='admin_changes')
    op.drop_table('admin_changes')
    with op.batch_alter_table('parts') as batch:
        batch.drop_column('customer_price')
        batch.drop_column('name_zh')
    # Only the policy per category survives the old one-per-category rule.
    op.execute("DELETE FROM sla_policies WHERE priority IS NOT NULL "
               "AND id NOT IN (SELECT sla_policy_id FROM jobs)")
    with op.batch_alter_table('sla_policies') as batch:
        batch.drop_constraint('uq_sla_policies_category_priority', type_='unique')
        batch.create_unique_constraint('uq_sla_policies_category', ['category'])
        batch.drop_column('business_hours_only')
        batch.drop_column('priority')
    op.drop_table('warranty_component_terms')
    with op.batch_alter_table('warranty_policies') as batch:
        batch.drop_column('repeat_repair_limit')
    with op.batch_alter_table('product_models') as batch:
        batch.drop_column('min_skill_level')
    with op.batch_alter_table('technician_skills') as batch:
        batch.drop_column('certified_until')
    with op.batch_alter_table('technicians') as batch:
        batch.drop_column('home_address')
    op.drop_table('region_business_hours')
    with op.batch_alter_table('regions') as batch:
        batch.drop_column('service_radius_km')
        batch.drop_column('time_zone')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('locale')
