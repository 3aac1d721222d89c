"""Foundation: users, catalogue, assets, jobs and their events, technicians, warehouses.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 07:08:57.784583
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('customers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('is_business', sa.Boolean(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers'))
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customers_phone'), ['phone'], unique=False)

    op.create_table('idempotent_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=120), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotent_requests')),
    sa.UniqueConstraint('scope', 'key', name='uq_idempotent_requests_scope_key')
    )
    op.create_table('parts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parts')),
    sa.UniqueConstraint('sku', name=op.f('uq_parts_sku'))
    )
    op.create_table('regions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('center_lat', sa.Float(), nullable=False),
    sa.Column('center_lon', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regions')),
    sa.UniqueConstraint('code', name=op.f('uq_regions_code'))
    )
    op.create_table('sla_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('category', sa.Enum('quality_defect', 'usage_question', 'return_exchange', 'installation', name='jobcategory', native_enum=False, length=24), nullable=True),
    sa.Column('respond_minutes', sa.Integer(), nullable=False),
    sa.Column('repair_minutes', sa.Integer(), nullable=False),
    sa.Column('satisfaction_target', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_policies')),
    sa.UniqueConstraint('category', name=op.f('uq_sla_policies_category')),
    sa.UniqueConstraint('code', name=op.f('uq_sla_policies_code'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.Enum('agent', 'dispatcher', 'technician', 'warehouse', 'manager', 'admin', name='role', native_enum=False, length=24), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('warehouses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.Enum('central', 'regional', 'van', name='warehousekind', native_enum=False, length=16), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warehouses')),
    sa.UniqueConstraint('code', name=op.f('uq_warehouses_code'))
    )
    op.create_table('warranty_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('return_days', sa.Integer(), nullable=False),
    sa.Column('exchange_days', sa.Integer(), nullable=False),
    sa.Column('free_repair_months', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warranty_policies')),
    sa.UniqueConstraint('code', name=op.f('uq_warranty_policies_code'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('product_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('product_line', sa.String(length=60), nullable=False),
    sa.Column('warranty_policy_id', sa.Integer(), nullable=False),
    sa.Column('repair_skill', sa.String(length=40), nullable=False),
    sa.Column('service_minutes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['warranty_policy_id'], ['warranty_policies.id'], name=op.f('fk_product_models_warranty_policy_id_warranty_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_models')),
    sa.UniqueConstraint('code', name=op.f('uq_product_models_code'))
    )
    op.create_table('technicians',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('home_lat', sa.Float(), nullable=False),
    sa.Column('home_lon', sa.Float(), nullable=False),
    sa.Column('shift_start', sa.Time(), nullable=False),
    sa.Column('shift_end', sa.Time(), nullable=False),
    sa.Column('daily_job_cap', sa.Integer(), nullable=False),
    sa.Column('van_warehouse_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_technicians_region_id_regions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_technicians_user_id_users')),
    sa.ForeignKeyConstraint(['van_warehouse_id'], ['warehouses.id'], name=op.f('fk_technicians_van_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_technicians')),
    sa.UniqueConstraint('user_id', name=op.f('uq_technicians_user_id')),
    sa.UniqueConstraint('van_warehouse_id', name=op.f('uq_technicians_van_warehouse_id'))
    )
    with op.batch_alter_table('technicians', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_technicians_region_id'), ['region_id'], unique=False)

    op.create_table('warehouse_regions',
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_warehouse_regions_region_id_regions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_warehouse_regions_warehouse_id_warehouses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('warehouse_id', 'region_id', name=op.f('pk_warehouse_regions'))
    )
    op.create_table('assets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=False),
    sa.Column('product_model_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('purchase_date', sa.Date(), nullable=True),
    sa.Column('installed_on', sa.Date(), nullable=True),
    sa.Column('qr_token', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_assets_customer_id_customers')),
    sa.ForeignKeyConstraint(['product_model_id'], ['product_models.id'], name=op.f('fk_assets_product_model_id_product_models')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_assets_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assets')),
    sa.UniqueConstraint('qr_token', name=op.f('uq_assets_qr_token')),
    sa.UniqueConstraint('serial', name=op.f('uq_assets_serial'))
    )
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assets_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assets_product_model_id'), ['product_model_id'], unique=False)

    op.create_table('model_parts',
    sa.Column('product_model_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['part_id'], ['parts.id'], name=op.f('fk_model_parts_part_id_parts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_model_id'], ['product_models.id'], name=op.f('fk_model_parts_product_model_id_product_models'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('product_model_id', 'part_id', name=op.f('pk_model_parts'))
    )
    op.create_table('technician_skills',
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('skill', sa.String(length=40), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['technician_id'], ['technicians.id'], name=op.f('fk_technician_skills_technician_id_technicians'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('technician_id', 'skill', name=op.f('pk_technician_skills'))
    )
    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('tracking_token', sa.String(length=64), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('qr', 'app', 'phone', 'wechat', 'walk-in', name='channel', native_enum=False, length=16), nullable=False),
    sa.Column('fault_text', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=120), nullable=False),
    sa.Column('contact_phone', sa.String(length=32), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('category', sa.Enum('quality_defect', 'usage_question', 'return_exchange', 'installation', name='jobcategory', native_enum=False, length=24), nullable=False),
    sa.Column('category_confidence', sa.Float(), nullable=False),
    sa.Column('category_source', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.Enum('urgent', 'high', 'normal', 'low', name='priority', native_enum=False, length=12), nullable=False),
    sa.Column('entitlement', sa.Enum('refund', 'exchange', 'free_repair', 'paid_repair', name='entitlementkind', native_enum=False, length=16), nullable=False),
    sa.Column('entitlement_reason', sa.Text(), nullable=False),
    sa.Column('entitlement_facts', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('reported', 'triaged', 'assigned', 'en_route', 'on_site', 'waiting_parts', 'completed', 'closed', 'remote_resolved', 'cancelled', name='jobstatus', native_enum=False, length=20), nullable=False),
    sa.Column('owner_user_id', sa.Integer(), nullable=True),
    sa.Column('owner_channel', sa.Enum('qr', 'app', 'phone', 'wechat', 'walk-in', name='channel', native_enum=False, length=16), nullable=False),
    sa.Column('sla_policy_id', sa.Integer(), nullable=False),
    sa.Column('reported_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('respond_by', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('repair_by', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('responded_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_jobs_asset_id_assets')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_jobs_customer_id_customers')),
    sa.ForeignKeyConstraint(['owner_user_id'], ['users.id'], name=op.f('fk_jobs_owner_user_id_users')),
    sa.ForeignKeyConstraint(['sla_policy_id'], ['sla_policies.id'], name=op.f('fk_jobs_sla_policy_id_sla_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs')),
    sa.UniqueConstraint('number', name=op.f('uq_jobs_number')),
    sa.UniqueConstraint('tracking_token', name=op.f('uq_jobs_tracking_token'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_owner_user_id'), ['owner_user_id'], unique=False)
        batch_op.create_index('ix_jobs_status_reported_at', ['status', 'reported_at'], unique=False)
        batch_op.create_index('uq_jobs_one_open_per_asset', ['asset_id'], unique=True, sqlite_where=sa.text("status IN ('assigned', 'en_route', 'on_site', 'reported', 'triaged', 'waiting_parts')"), postgresql_where=sa.text("status IN ('assigned', 'en_route', 'on_site', 'reported', 'triaged', 'waiting_parts')"))

    op.create_table('job_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.Enum('created', 'status_changed', 'report_attached', 'reclassified', 'ownership_changed', name='eventkind', native_enum=False, length=24), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=120), nullable=False),
    sa.Column('from_status', sa.Enum('reported', 'triaged', 'assigned', 'en_route', 'on_site', 'waiting_parts', 'completed', 'closed', 'remote_resolved', 'cancelled', name='jobstatus', native_enum=False, length=20), nullable=True),
    sa.Column('to_status', sa.Enum('reported', 'triaged', 'assigned', 'en_route', 'on_site', 'waiting_parts', 'completed', 'closed', 'remote_resolved', 'cancelled', name='jobstatus', native_enum=False, length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_job_events_actor_user_id_users')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_job_events_job_id_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_events'))
    )
    with op.batch_alter_table('job_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_events_job_id'), ['job_id'], unique=False)

    # The promise every job starts with unless a more specific policy is added.
    sla = sa.table("sla_policies", sa.column("code", sa.String), sa.column("name", sa.String),
                   sa.column("category", sa.String), sa.column("respond_minutes", sa.Integer),
                   sa.column("repair_minutes", sa.Integer), sa.column("satisfaction_target", sa.Float))
    op.bulk_insert(sla, [{"code": "default", "name": "Respond in 2 h, repair in 3 days", "category": None,
                          "respond_minutes": 120, "repair_minutes": 3 * 24 * 60,
                          "satisfaction_target": 0.95}])


def downgrade() -> None:
    with op.batch_alter_table('job_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_events_job_id'))

    op.drop_table('job_events')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_jobs_one_open_per_asset', sqlite_where=sa.text("status IN ('assigned', 'en_route', 'on_site', 'reported', 'triaged', 'waiting_parts')"), postgresql_where=sa.text("status IN ('assigned', 'en_route', 'on_site', 'reported', 'triaged', 'waiting_parts')"))
        batch_op.drop_index('ix_jobs_status_reported_at')
        batch_op.drop_index(batch_op.f('ix_jobs_owner_user_id'))
        batch_op.drop_index(batch_op.f('ix_jobs_customer_id'))

    op.drop_table('jobs')
    op.drop_table('technician_skills')
    op.drop_table('model_parts')
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assets_product_model_id'))
        batch_op.drop_index(batch_op.f('ix_assets_customer_id'))

    op.drop_table('assets')
    op.drop_table('warehouse_regions')
    with op.batch_alter_table('technicians', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_technicians_region_id'))

    op.drop_table('technicians')
    op.drop_table('product_models')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('warranty_policies')
    op.drop_table('warehouses')
    op.drop_table('users')
    op.drop_table('sla_policies')
    op.drop_table('regions')
    op.drop_table('parts')
    op.drop_table('idempotent_requests')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customers_phone'))

    op.drop_table('customers')
