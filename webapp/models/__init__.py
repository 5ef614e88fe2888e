"""All models, imported so metadata is complete for migrations."""

from webapp.models import api_tokens, crm, forms, merges, target_clients, webhooks  # noqa: F401  (their tables join the metadata)
from webapp.models.accounts import ROLES, Membership, User, Workspace
from webapp.models.audit import AuditLog
from webapp.models.campaigns import Campaign, CampaignLead, CampaignLeadAttempt, CampaignLeadList
from webapp.models.core import CoreCompany, CorePerson
from webapp.models.discovery import DiscoveryQuery, SignalType
from webapp.models.enrichment import BillingEvent, LeadContact, LeadDelivery, PlatformUpload
from webapp.models.events import Event
from webapp.models.imports import ImportChange, ImportRejectedRow, LeadImport
from webapp.models.jobs import JobRun
from webapp.models.leads import Lead, LeadActivity, Tag, lead_tags
from webapp.models.lists import LeadList, LeadListMember
from webapp.models.providers import DeliverySettings, PlatformRoute, ProviderSetting  # noqa: F401
from webapp.models.schedules import ScheduledPeriod
from webapp.models.trends import TopicTrend

__all__ = [
    "ROLES",
    "AuditLog",
    "BillingEvent",
    "Campaign",
    "CampaignLead",
    "CampaignLeadAttempt",
    "CampaignLeadList",
    "CoreCompany",
    "CorePerson",
    "DiscoveryQuery",
    "Event",
    "ImportChange",
    "ImportRejectedRow",
    "JobRun",
    "Lead",
    "LeadActivity",
    "LeadImport",
    "LeadContact",
    "LeadDelivery",
    "LeadList",
    "LeadListMember",
    "Membership",
    "SignalType",
    "PlatformUpload",
    "ScheduledPeriod",
    "Tag",
    "TopicTrend",
    "User",
    "Workspace",
    "lead_tags",
]
