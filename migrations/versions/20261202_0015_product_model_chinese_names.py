"""A product model's name in Chinese, and an SLA alert's detail as a reason with its facts, so pages say
both in the reader's language; a stock movement's reason as a code with its facts, for the ledger
page; a user's e-mail address, where an invitation's link is sent. Rows written before keep an empty
Chinese name (the English one is shown), a detail and a reason without facts (shown as written) and
no address.

Revision ID: 0015
Revises: 0019
Create Date: 2026-12-02 18:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('product_models') as batch:
        batch.add_column(sa.Column('name_zh', sa.String(length=160), nullable=False, server_default=''))
    with op.batch_alter_table('sla_alerts') as batch:
        batch.add_column(sa.Column('detail_facts', sa.JSON(), nullable=True))
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('email', sa.String(length=254), nullable=True))
    with op.batch_alter_table('stock_movements') as batch:
        batch.add_column(sa.Column('reason_code', sa.String(length=48), nullable=True))
        batch.add_column(sa.Column('reason_facts', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('stock_movements') as batch:
        batch.drop_column('reason_facts')
        batch.drop_column('reason_code')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('email')
    with op.batch_alter_table('sla_alerts') as batch:
        batch.drop_column('detail_facts')
    with op.batch_alter_table('product_models') as batch:
        batch.drop_column('name_zh')
