"""A delivery channel can be "sending" (committed before Slack or SMTP is called) and
"unknown" (a worker died while sending: not resent, Redeliver sends again)

Revision ID: 0023_delivery_outcome
Revises: 0022_core
"""

from alembic import op

revision = "0023_delivery_outcome"
down_revision = "0022_core"
branch_labels = None
depends_on = None

OLD = "status in ('sent', 'failed', 'skipped')"
NEW = "status in ('sent', 'failed', 'skipped', 'sending', 'unknown')"


def _status_check(rule: str) -> None:
    with op.batch_alter_table("lead_deliveries") as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_lead_deliveries_status"), type_="check")
        batch_op.create_check_constraint("status", rule)


def upgrade():
    _status_check(NEW)


def downgrade():
    op.execute(
        "UPDATE lead_deliveries SET status = 'failed' WHERE status IN ('sending', 'unknown')"
    )
    _status_check(OLD)
