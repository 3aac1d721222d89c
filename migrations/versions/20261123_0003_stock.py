"""Spare parts: suppliers, the stock ledger and levels, reservations, restock rules, transfers and purchase orders, emergency requests.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('suppliers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('normal_lead_hours', sa.Integer(), nullable=False),
    sa.Column('expedited_lead_hours', sa.Integer(), nullable=False),
    sa.Column('expedite_fee', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suppliers')),
    sa.UniqueConstraint('code', name=op.f('uq_suppliers_code'))
    )
    op.create_table('restock_rules',
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('min_quantity', sa.Integer(), nullable=False),
    sa.Column('max_quantity', sa.Integer(), nullable=False),
    sa.Column('reorder_multiple', sa.Integer(), nullable=False),
    sa.Column('auto_create', sa.Boolean(), nullable=False),
    sa.CheckConstraint('min_quantity >= 0 AND max_quantity >= min_quantity', name=op.f('ck_restock_rules_min_below_max')),
    sa.CheckConstraint('reorder_multiple >= 1', name=op.f('ck_restock_rules_multiple_positive')),
    sa.ForeignKeyConstraint(['part_id'], ['parts.id'], name=op.f('fk_restock_rules_part_id_parts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_restock_rules_warehouse_id_warehouses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('warehouse_id', 'part_id', name=op.f('pk_restock_rules'))
    )
    op.create_table('stock_levels',
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('on_hand', sa.Integer(), nullable=False),
    sa.Column('reserved', sa.Integer(), nullable=False),
    sa.Column('faulty', sa.Integer(), nullable=False),
    sa.CheckConstraint('faulty >= 0', name=op.f('ck_stock_levels_faulty_not_negative')),
    sa.CheckConstraint('on_hand >= 0', name=op.f('ck_stock_levels_on_hand_not_negative')),
    sa.CheckConstraint('reserved >= 0 AND reserved <= on_hand', name=op.f('ck_stock_levels_reserved_within_on_hand')),
    sa.ForeignKeyConstraint(['part_id'], ['parts.id'], name=op.f('fk_stock_levels_part_id_parts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_stock_levels_warehouse_id_warehouses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('warehouse_id', 'part_id', name=op.f('pk_stock_levels'))
    )
    op.create_table('supplier_parts',
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['part_id'], ['parts.id'], name=op.f('fk_supplier_parts_part_id_parts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_supplier_parts_supplier_id_suppliers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('supplier_id', 'part_id', name=op.f('pk_supplier_parts'))
    )
    op.create_table('purchase_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('expedited', sa.Boolean(), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('total_cost', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('status', sa.Enum('requested', 'shipped', 'received', 'cancelled', name='orderstatus', native_enum=False, length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('emergency', sa.Boolean(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('expected_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('requested_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('shipped_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('received_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('received_quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_purchase_orders_quantity_positive')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_purchase_orders_job_id_jobs')),
    sa.ForeignKeyConstraint(['part_id'], ['parts.id'], name=op.f('fk_purchase_orders_part_id_parts')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_purchase_orders_supplier_id_suppliers')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_purchase_orders_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_orders'))
    )
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_orders_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_orders_warehouse_id'), ['warehouse_id'], unique=False)

    op.create_table('transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('from_warehouse_id', sa.Integer(), nullable=False),
    sa.Column('to_warehouse_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('requested', 'shipped', 'received', 'cancelled', name='orderstatus', native_enum=False, length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('emergency', sa.Boolean(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('expected_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('requested_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('shipped_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('received_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('received_quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('from_warehouse_id <> to_warehouse_id', name=op.f('ck_transfers_different_warehouses')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_transfers_quantity_positive')),
    sa.ForeignKeyConstraint(['from_warehouse_id'], ['warehouses.id'], name=op.f('fk_transfers_from_warehouse_id_warehouses')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_transfers_job_id_jobs')),
    sa.ForeignKeyConstraint(['part_id'], ['parts.id'], name=op.f('fk_transfers_part_id_parts')),
    sa.ForeignKeyConstraint(['to_warehouse_id'], ['warehouses.id'], name=op.f('fk_transfers_to_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfers'))
    )
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfers_from_warehouse_id'), ['from_warehouse_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfers_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfers_to_warehouse_id'), ['to_warehouse_id'], unique=False)

    op.create_table('job_parts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('reserved', 'awaiting', 'consumed', 'released', name='jobpartstate', native_enum=False, length=16), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=True),
    sa.Column('transfer_id', sa.Integer(), nullable=True),
    sa.Column('purchase_order_id', sa.Integer(), nullable=True),
    sa.Column('expected_at', core.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_job_parts_job_id_jobs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['part_id'], ['parts.id'], name=op.f('fk_job_parts_part_id_parts')),
    sa.ForeignKeyConstraint(['purchase_order_id'], ['purchase_orders.id'], name=op.f('fk_job_parts_purchase_order_id_purchase_orders')),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfers.id'], name=op.f('fk_job_parts_transfer_id_transfers')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_job_parts_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_parts'))
    )
    with op.batch_alter_table('job_parts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_parts_job_id'), ['job_id'], unique=False)

    op.create_table('stock_movements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('receipt', 'transfer_out', 'transfer_in', 'reservation', 'release', 'consumption', 'adjustment', 'faulty_return', name='movementkind', native_enum=False, length=16), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('on_hand_delta', sa.Integer(), nullable=False),
    sa.Column('reserved_delta', sa.Integer(), nullable=False),
    sa.Column('faulty_delta', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('transfer_id', sa.Integer(), nullable=True),
    sa.Column('purchase_order_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_stock_movements_job_id_jobs')),
    sa.ForeignKeyConstraint(['part_id'], ['parts.id'], name=op.f('fk_stock_movements_part_id_parts')),
    sa.ForeignKeyConstraint(['purchase_order_id'], ['purchase_orders.id'], name=op.f('fk_stock_movements_purchase_order_id_purchase_orders')),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfers.id'], name=op.f('fk_stock_movements_transfer_id_transfers')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_stock_movements_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_movements'))
    )
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_movements_job_id'), ['job_id'], unique=False)
        batch_op.create_index('ix_stock_movements_warehouse_part', ['warehouse_id', 'part_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_movements_warehouse_part')
        batch_op.drop_index(batch_op.f('ix_stock_movements_job_id'))

    op.drop_table('stock_movements')
    with op.batch_alter_table('job_parts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_parts_job_id'))

    op.drop_table('job_parts')
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfers_to_warehouse_id'))
        batch_op.drop_index(batch_op.f('ix_transfers_job_id'))
        batch_op.drop_index(batch_op.f('ix_transfers_from_warehouse_id'))

    op.drop_table('transfers')
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_orders_warehouse_id'))
        batch_op.drop_index(batch_op.f('ix_purchase_orders_job_id'))

    op.drop_table('purchase_orders')
    op.drop_table('supplier_parts')
    op.drop_table('stock_levels')
    op.drop_table('restock_rules')
    op.drop_table('suppliers')
