"""Who is in a list: the one definition every reader uses (list page, campaigns, exports).

Static lists have explicit members; dynamic lists are saved My Leads criteria, so their
members are computed when read and are always current.
"""

from __future__ import annotations

from sqlalchemy import Select, select

from webapp.models import Lead, LeadList, LeadListMember
from webapp.services.leads.filters import LeadFilter, filter_conditions


def member_ids(lead_list: LeadList, timezone: str = "UTC") -> Select:
    """A select of the ids of the list's member leads, scoped to the list's workspace."""
    if lead_list.list_type == "dynamic":
        criteria = LeadFilter.from_args(lead_list.criteria or {}, default_owner="any")
        # "me" in saved criteria means whoever saved the list, not whoever reads it.
        conditions = filter_conditions(
            criteria, lead_list.workspace_id, lead_list.created_by_id, timezone
        )
        return select(Lead.id).where(*conditions)
    return (
        select(LeadListMember.lead_id)
        .join(Lead, Lead.id == LeadListMember.lead_id)
        .where(
            LeadListMember.lead_list_id == lead_list.id,
            Lead.workspace_id == lead_list.workspace_id,
        )
    )
