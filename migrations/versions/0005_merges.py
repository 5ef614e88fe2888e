"""Lead merges and their undo (helper: dedupe)

Revision ID: 0005_merges
Revises: 0004_crm
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_merges'
down_revision = '0004_crm'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lead_merges',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('workspace_id', sa.Uuid(), nullable=False),
    sa.Column('kept_lead_id', sa.Uuid(), nullable=False),
    sa.Column('other_lead_id', sa.Uuid(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('moved', sa.JSON(), nullable=False),
    sa.Column('filled', sa.JSON(), nullable=False),
    sa.Column('merged_by_id', sa.Uuid(), nullable=True),
    sa.Column('merged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['kept_lead_id'], ['leads.id'], name=op.f('fk_lead_merges_kept_lead_id_leads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['merged_by_id'], ['users.id'], name=op.f('fk_lead_merges_merged_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], name=op.f('fk_lead_merges_undone_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_lead_merges_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_merges'))
    )
    with op.batch_alter_table('lead_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_merges_kept_lead_id'), ['kept_lead_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_merges_workspace_id'), ['workspace_id'], unique=False)



def downgrade():
    with op.batch_alter_table('lead_merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_merges_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_lead_merges_kept_lead_id'))

    op.drop_table('lead_merges')
