"""My Leads as a board: the filter's leads in one column per status, pipeline order.

Each column shows the first PER_COLUMN leads in the filter's sort and a count capped
as My Leads' total is ("more than 1,000"): a board over a million leads reads a few
hundred rows, never all of them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from webapp.models import Lead
from webapp.models.leads import STATUSES
from webapp.services.lead_filters import LeadFilter, filter_conditions, plan_for_values
from webapp.services.lead_pages import COUNT_CAP, LeadRow, _row, count_statement, rows_statement

PER_COLUMN = 50


@dataclass(frozen=True)
class BoardColumn:
    status: str
    leads: list[LeadRow]
    count: int  # capped at COUNT_CAP
    capped: bool

    @property
    def hidden(self) -> int:
        """How many more leads the column holds than it shows."""
        return max(0, self.count - len(self.leads))


def board_of_leads(
    session: Session,
    lead_filter: LeadFilter,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    timezone: str = "UTC",
    per_column: int = PER_COLUMN,
) -> list[BoardColumn]:
    """A column per status (only the filter's statuses, when it names some)."""
    plan_for_values(session)
    connection = session.connection()
    conditions = filter_conditions(lead_filter, workspace_id, user_id, timezone)
    columns = []
    for status in STATUSES:
        if lead_filter.statuses and status not in lead_filter.statuses:
            continue
        in_column = [*conditions, Lead.status == status]
        found = connection.execute(count_statement(in_column)).scalar_one()
        rows = connection.execute(
            rows_statement(session, workspace_id, in_column, lead_filter, per_column, 0)
        ).all()
        columns.append(
            BoardColumn(status, [_row(r) for r in rows], min(found, COUNT_CAP), found > COUNT_CAP)
        )
    return columns
