"""Capture forms, spam quarantine, idempotency keys

Revision ID: 0006_forms
Revises: 0005_merges
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_forms'
down_revision = '0005_merges'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'capture_forms',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('workspace_id', sa.Uuid(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('public_key', sa.String(length=64), nullable=False),
        sa.Column('allowed_origins', sa.JSON(), nullable=False),
        sa.Column('default_source', sa.String(length=32), nullable=False),
        sa.Column('assignment_mode', sa.String(length=16), nullable=False),
        sa.Column('owner_id', sa.Uuid(), nullable=True),
        sa.Column('round_robin_user_ids', sa.JSON(), nullable=False),
        sa.Column('round_robin_cursor', sa.Integer(), nullable=False),
        sa.Column('thank_you_url', sa.String(length=500), nullable=True),
        sa.Column('rate_limit_per_hour', sa.Integer(), nullable=False),
        sa.Column('min_fill_seconds', sa.Integer(), nullable=False),
        sa.Column('notification_emails', sa.JSON(), nullable=False),
        sa.Column('slack_webhook_url', sa.String(length=500), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("assignment_mode in ('none', 'owner', 'round_robin')", name=op.f('ck_capture_forms_mode')),
        sa.CheckConstraint('rate_limit_per_hour > 0', name=op.f('ck_capture_forms_rate_limit')),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_capture_forms_owner_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_capture_forms_workspace_id_workspaces'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_capture_forms')),
        sa.UniqueConstraint('public_key', name=op.f('uq_capture_forms_public_key')),
    )
    with op.batch_alter_table('capture_forms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capture_forms_workspace_id'), ['workspace_id'], unique=False)

    op.create_table(
        'idempotency_keys',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('form_id', sa.Uuid(), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('request_hash', sa.String(length=64), nullable=False),
        sa.Column('response_status', sa.Integer(), nullable=True),
        sa.Column('response_body', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['form_id'], ['capture_forms.id'], name=op.f('fk_idempotency_keys_form_id_capture_forms'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
        sa.UniqueConstraint('form_id', 'key', name=op.f('uq_idempotency_keys_form_id_key')),
    )
    op.create_table(
        'spam_submissions',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('workspace_id', sa.Uuid(), nullable=False),
        sa.Column('form_id', sa.Uuid(), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('reason', sa.String(length=64), nullable=False),
        sa.Column('ip_address', sa.String(length=64), nullable=True),
        sa.Column('user_agent', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('released_lead_id', sa.Uuid(), nullable=True),
        sa.Column('released_by_id', sa.Uuid(), nullable=True),
        sa.Column('dismissed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['form_id'], ['capture_forms.id'], name=op.f('fk_spam_submissions_form_id_capture_forms'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('fk_spam_submissions_released_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['released_lead_id'], ['leads.id'], name=op.f('fk_spam_submissions_released_lead_id_leads'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_spam_submissions_workspace_id_workspaces'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_spam_submissions')),
    )
    with op.batch_alter_table('spam_submissions', schema=None) as batch_op:
        batch_op.create_index('ix_spam_submissions_form_created', ['form_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_spam_submissions_workspace_id'), ['workspace_id'], unique=False)


def downgrade():
    with op.batch_alter_table('spam_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spam_submissions_workspace_id'))
        batch_op.drop_index('ix_spam_submissions_form_created')
    op.drop_table('spam_submissions')
    op.drop_table('idempotency_keys')
    with op.batch_alter_table('capture_forms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capture_forms_workspace_id'))
    op.drop_table('capture_forms')
