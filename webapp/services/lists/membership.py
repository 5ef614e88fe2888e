"""Who is in a list: the one definition every reader uses (list page, campaigns, exports).

Static lists have explicit members; dynamic lists are saved My Leads criteria, so their
members are computed when read and are always current.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar

from sqlalchemy import ColumnElement, Select, false, select

from webapp.models import Lead, LeadList, LeadListMember
from webapp.services.leads.filters import LeadFilter, filter_conditions

# The dynamic lists being expanded right now: a list whose criteria name itself (or a
# list that names it back) has no members through that loop instead of no end.
_EXPANDING: ContextVar[frozenset] = ContextVar("expanding_lists", default=frozenset())


def member_ids(lead_list: LeadList, timezone: str = "UTC") -> Select:
    """A select of the ids of the list's member leads, scoped to the list's workspace."""
    if lead_list.list_type == "dynamic":
        expanding = _EXPANDING.get()
        if lead_list.id in expanding:
            return select(Lead.id).where(false())
        criteria = LeadFilter.from_args(lead_list.criteria or {}, default_owner="any")
        token = _EXPANDING.set(expanding | {lead_list.id})
        try:
            # "me" in saved criteria means whoever saved the list, not whoever reads it.
            conditions = filter_conditions(
                criteria, lead_list.workspace_id, lead_list.created_by_id, timezone
            )
        finally:
            _EXPANDING.reset(token)
        return select(Lead.id).where(*conditions)
    return (
        select(LeadListMember.lead_id)
        .join(Lead, Lead.id == LeadListMember.lead_id)
        .where(
            LeadListMember.lead_list_id == lead_list.id,
            Lead.workspace_id == lead_list.workspace_id,
        )
    )


def list_condition(
    list_id: str | uuid.UUID, workspace_id: uuid.UUID, timezone: str = "UTC"
) -> ColumnElement | None:
    """My Leads' "List" filter: Lead.id in the list's members; None for no such list here.

    The filter model has no session of its own, so the list is read on the app's.
    """
    from webapp.extensions import db

    try:
        wanted = uuid.UUID(str(list_id))
    except ValueError:
        return None
    lead_list = db.session.execute(
        select(LeadList).where(LeadList.id == wanted, LeadList.workspace_id == workspace_id)
    ).scalar()
    if lead_list is None:
        return None
    if lead_list.list_type == "static":
        # The filter's own conditions keep to the workspace: no join back to leads.
        return Lead.id.in_(
            select(LeadListMember.lead_id).where(LeadListMember.lead_list_id == lead_list.id)
        )
    return Lead.id.in_(member_ids(lead_list, timezone))
