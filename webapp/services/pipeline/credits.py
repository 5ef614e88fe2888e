"""Pipeline credits: what discovery and enrichment may spend a workspace's day.

Each workspace has `daily_credit_limit` (NULL: the DAILY_CREDIT_LIMIT setting) and
`daily_credits_used`. `spend` is one conditional UPDATE, so two workers spending at
once can never take the workspace past its limit; the spend belongs to the caller's
transaction (a job that rolls back gives its credits back). The scheduler's credit
reset (00:00) calls `reset_credits`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import current_app, has_app_context
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from webapp.models import Workspace

DEFAULT_LIMIT = 500
# Discovery spends one credit per company it saves (created or changed).
DISCOVERY_COST = 1


class CreditsExhausted(RuntimeError):
    """The workspace has not enough credits left today for this spend."""

    def __init__(self, workspace_id, amount: int, used: int, limit: int, reason: str = ""):
        self.workspace_id, self.amount, self.used, self.limit = workspace_id, amount, used, limit
        self.reason = reason
        super().__init__(
            f"Daily credit limit reached: {used} of {limit} credits used today"
            + (f" (needed {amount} for {reason})" if reason else "")
        )


@dataclass(frozen=True)
class Credits:
    used: int
    limit: int

    @property
    def left(self) -> int:
        return max(0, self.limit - self.used)


def default_limit() -> int:
    if has_app_context():
        return int(current_app.config.get("DAILY_CREDIT_LIMIT", DEFAULT_LIMIT))
    return DEFAULT_LIMIT


def _limit_expression():
    return func.coalesce(Workspace.daily_credit_limit, default_limit())


def credits_of(session: Session, workspace_id: uuid.UUID) -> Credits:
    used, limit = session.execute(
        select(Workspace.daily_credits_used, _limit_expression()).where(
            Workspace.id == workspace_id
        )
    ).one()
    return Credits(used=int(used), limit=int(limit))


def spend(session: Session, workspace_id: uuid.UUID, amount: int, reason: str) -> None:
    """Take `amount` credits for `reason`; raise CreditsExhausted (nothing taken) if over."""
    if amount < 0:
        raise ValueError("amount must not be negative")
    if amount == 0:
        return
    taken = session.execute(
        update(Workspace)
        .where(
            Workspace.id == workspace_id,
            Workspace.daily_credits_used + amount <= _limit_expression(),
        )
        .values(daily_credits_used=Workspace.daily_credits_used + amount)
        .execution_options(synchronize_session=False)
    ).rowcount
    _forget_used(session, workspace_id)
    if taken != 1:
        now = credits_of(session, workspace_id)
        raise CreditsExhausted(workspace_id, amount, now.used, now.limit, reason)


def reset_credits(session: Session, workspace_id: uuid.UUID | None = None) -> int:
    """Set `daily_credits_used` back to 0 (one workspace, or all); returns rows changed."""
    statement = update(Workspace).values(daily_credits_used=0)
    if workspace_id is not None:
        statement = statement.where(Workspace.id == workspace_id)
    changed = session.execute(statement.execution_options(synchronize_session=False)).rowcount
    _forget_used(session, workspace_id)
    return changed or 0


def _forget_used(session: Session, workspace_id: uuid.UUID | None) -> None:
    """Loaded workspaces read `daily_credits_used` afresh after an UPDATE behind their back."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Workspace) and workspace_id in (None, obj.id):
            session.expire(obj, ["daily_credits_used"])
