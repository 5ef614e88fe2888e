"""All models, imported so metadata is complete for migrations."""

from webapp.models.accounts import ROLES, Membership, User, Workspace
from webapp.models.audit import AuditLog
from webapp.models.core import CoreCompany, CorePerson
from webapp.models.events import Event
from webapp.models.leads import Lead, LeadActivity, Tag, lead_tags

__all__ = [
    "ROLES",
    "AuditLog",
    "CoreCompany",
    "CorePerson",
    "Event",
    "Lead",
    "LeadActivity",
    "Membership",
    "Tag",
    "User",
    "Workspace",
    "lead_tags",
]
