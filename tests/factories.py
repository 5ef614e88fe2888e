"""Factories for the objects tests need; each commits so HTTP requests see it.

One method per model, in alphabetical order; keyword arguments override any column.
Objects that have a service to make them (leads, API tokens, merges) are made by it,
so they come with what the service writes beside them (activity, event, secret).
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from webapp.models import (
    AuditLog,
    Campaign,
    CampaignLead,
    CampaignLeadAttempt,
    CampaignLeadList,
    CoreCompany,
    CorePerson,
    Event,
    ImportChange,
    ImportRejectedRow,
    Lead,
    LeadActivity,
    LeadImport,
    LeadList,
    LeadListMember,
    Membership,
    Tag,
    User,
    Workspace,
)
from webapp.models.crm import Account, Contact
from webapp.models.discovery import DiscoveryQuery, SignalType
from webapp.models.enrichment import BillingEvent, LeadContact, LeadDelivery, PlatformUpload
from webapp.models.forms import CaptureForm, IdempotencyKey, SpamSubmission
from webapp.models.jobs import JobRun
from webapp.models.merges import LeadMerge
from webapp.models.providers import DeliverySettings, PlatformRoute, ProviderSetting
from webapp.models.schedules import ScheduledPeriod
from webapp.models.target_clients import (
    TargetClientCompany,
    TargetClientLead,
    TargetClientPerson,
    UploadedFile,
)
from webapp.models.trends import TopicTrend
from webapp.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webapp.services.leads.timeline import create_lead

_seq = itertools.count(1)


class Factory:
    def __init__(self, session):
        self.session = session

    def _saved(self, obj):
        self.session.add(obj)
        self.session.commit()
        return obj

    def account(self, workspace: Workspace, **fields) -> Account:
        n = next(_seq)
        fields.setdefault("name", f"Account {n}")
        fields.setdefault("domain", f"account{n}.example.com")
        return self._saved(Account(workspace_id=workspace.id, **fields))

    def activity(self, lead: Lead, activity_type: str = "note_added", **fields) -> LeadActivity:
        fields.setdefault("description", "A note")
        return self._saved(
            LeadActivity(
                workspace_id=lead.workspace_id,
                lead_id=lead.id,
                activity_type=activity_type,
                **fields,
            )
        )

    def api_token(
        self, workspace: Workspace, name: str | None = None, created_by=None, scopes: str = "all"
    ):
        """A NewToken: `.token` (the row) and `.secret` (the bearer token, shown once)."""
        from webapp.services.accounts.api_tokens import create_token

        made = create_token(
            self.session,
            workspace.id,
            name or f"Token {next(_seq)}",
            created_by.id if created_by is not None else None,
            scopes=scopes,
        )
        self.session.commit()
        return made

    def audit_entry(self, workspace: Workspace, action: str = "lead.viewed", **fields) -> AuditLog:
        return self._saved(AuditLog(workspace_id=workspace.id, action=action, **fields))

    def billing_event(self, lead: Lead, **fields) -> BillingEvent:
        fields.setdefault("kind", "platform_upload")
        fields.setdefault("platform", "general-platform")
        return self._saved(BillingEvent(workspace_id=lead.workspace_id, lead_id=lead.id, **fields))

    def campaign(self, workspace: Workspace, **fields) -> Campaign:
        fields.setdefault("name", f"Campaign {next(_seq)}")
        return self._saved(Campaign(workspace_id=workspace.id, **fields))

    def campaign_lead(self, campaign: Campaign, lead: Lead, **fields) -> CampaignLead:
        return self._saved(CampaignLead(campaign_id=campaign.id, lead_id=lead.id, **fields))

    def campaign_attempt(self, row: CampaignLead, **fields) -> CampaignLeadAttempt:
        campaign = self.session.get(Campaign, row.campaign_id)
        fields.setdefault("status", "contacted")
        return self._saved(
            CampaignLeadAttempt(
                workspace_id=campaign.workspace_id,
                campaign_lead_id=row.id,
                campaign_id=row.campaign_id,
                **fields,
            )
        )

    def campaign_list(self, campaign: Campaign, lead_list: LeadList, **fields) -> CampaignLeadList:
        return self._saved(
            CampaignLeadList(campaign_id=campaign.id, lead_list_id=lead_list.id, **fields)
        )

    def capture_form(self, workspace: Workspace, **fields) -> CaptureForm:
        fields.setdefault("name", f"Form {next(_seq)}")
        return self._saved(CaptureForm(workspace_id=workspace.id, **fields))

    def contact(self, workspace: Workspace, account: Account | None = None, **fields) -> Contact:
        n = next(_seq)
        fields.setdefault("full_name", f"Contact {n}")
        fields.setdefault("email", f"contact{n}@example.com")
        fields.setdefault("email_normalized", fields["email"].lower())
        account_id = account.id if account is not None else None
        return self._saved(Contact(workspace_id=workspace.id, account_id=account_id, **fields))

    def core_company(self, **fields) -> CoreCompany:
        n = next(_seq)
        fields.setdefault("domain", f"company{n}.example.com")
        fields.setdefault("name", f"Company {n}")
        return self._saved(CoreCompany(**fields))

    def core_person(self, company: CoreCompany | None = None, **fields) -> CorePerson:
        n = next(_seq)
        fields.setdefault("full_name", f"Person {n}")
        fields.setdefault("email", f"person{n}@example.com")
        company_id = company.id if company is not None else None
        return self._saved(CorePerson(core_company_id=company_id, **fields))

    def discovery_query(self, workspace: Workspace, **fields) -> DiscoveryQuery:
        n = next(_seq)
        fields.setdefault("topic", f"Topic {n}")
        fields.setdefault("name", fields["topic"])
        return self._saved(DiscoveryQuery(workspace_id=workspace.id, **fields))

    def delivery_settings(self, workspace: Workspace, **fields) -> DeliverySettings:
        fields.setdefault("email_recipients", ["sales@example.com"])
        return self._saved(DeliverySettings(workspace_id=workspace.id, **fields))

    def event(self, workspace: Workspace, event_type: str = "LeadCreated", **fields) -> Event:
        fields.setdefault("payload", {})
        return self._saved(Event(workspace_id=workspace.id, event_type=event_type, **fields))

    def idempotency_key(self, form: CaptureForm, **fields) -> IdempotencyKey:
        fields.setdefault("key", f"key-{next(_seq)}")
        fields.setdefault("request_hash", "0" * 64)
        return self._saved(IdempotencyKey(form_id=form.id, **fields))

    def import_change(self, lead_import: LeadImport, lead: Lead, **fields) -> ImportChange:
        fields.setdefault("kind", "created")
        return self._saved(ImportChange(import_id=lead_import.id, lead_id=lead.id, **fields))

    def import_rejected_row(self, lead_import: LeadImport, **fields) -> ImportRejectedRow:
        fields.setdefault("line", 2)
        fields.setdefault("values", {"Email": "not-an-email"})
        fields.setdefault("reason", "Email: is not an email address")
        return self._saved(ImportRejectedRow(import_id=lead_import.id, **fields))

    def lead_import(self, workspace: Workspace, **fields) -> LeadImport:
        """An import's record (no file behind it; tests that run one upload a file)."""
        fields.setdefault("file_name", f"import-{next(_seq)}.csv")
        fields.setdefault("stored_path", f"imports/{workspace.id}/missing.csv")
        fields.setdefault("headers", ["Email"])
        fields.setdefault("mapping", ["email"])
        return self._saved(LeadImport(workspace_id=workspace.id, **fields))

    def job_run(self, workspace: Workspace, kind: str = "diagnostics.noop", **fields) -> JobRun:
        return self._saved(JobRun(workspace_id=workspace.id, kind=kind, **fields))

    def target_client_company(self, workspace: Workspace, **fields) -> TargetClientCompany:
        fields.setdefault("target_client_domain", "prospect.example.com")
        fields.setdefault("domain", f"tc-company{next(_seq)}.example.com")
        return self._saved(TargetClientCompany(workspace_id=workspace.id, **fields))

    def target_client_person(self, workspace: Workspace, **fields) -> TargetClientPerson:
        fields.setdefault("target_client_domain", "prospect.example.com")
        fields.setdefault("work_email", f"tc-person{next(_seq)}@example.com")
        return self._saved(TargetClientPerson(workspace_id=workspace.id, **fields))

    def target_client_lead(self, workspace: Workspace, **fields) -> TargetClientLead:
        fields.setdefault("target_client_domain", "prospect.example.com")
        fields.setdefault("work_email", f"tc-lead{next(_seq)}@example.com")
        fields.setdefault("source", "demo")
        return self._saved(TargetClientLead(workspace_id=workspace.id, **fields))

    def uploaded_file(self, workspace: Workspace, **fields) -> UploadedFile:
        fields.setdefault("purpose", "core.companies")
        fields.setdefault("filename", "companies.csv")
        fields.setdefault("content", b"domain,name\nacme.com,Acme\n")
        return self._saved(UploadedFile(workspace_id=workspace.id, **fields))

    def workspace(self, slug: str | None = None, name: str | None = None) -> Workspace:
        n = next(_seq)
        workspace = Workspace(slug=slug or f"ws-{n}", name=name or f"Workspace {n}")
        self.session.add(workspace)
        self.session.commit()
        return workspace

    def user(
        self,
        workspace: Workspace | None = None,
        role: str = "rep",
        email: str | None = None,
        password: str = "password123",
        name: str | None = None,
    ) -> User:
        n = next(_seq)
        user = User(email=email or f"user{n}@example.com", name=name or f"User {n}")
        user.set_password(password)
        self.session.add(user)
        self.session.flush()
        if workspace is not None:
            self.session.add(Membership(workspace_id=workspace.id, user_id=user.id, role=role))
        self.session.commit()
        return user

    def likely_duplicates(self, workspace: Workspace) -> tuple[Lead, Lead]:
        """Jon and Jonathon Doe at Acme Widgets: two emails, one person (Jonathon has a phone)."""
        jon = self.lead(
            workspace, full_name="Jon Doe", email="jon@acmewidgets.com", company_name="Acme Widgets"
        )
        jonathon = self.lead(
            workspace,
            full_name="Jonathon Doe",
            email="jonathon@acmewidgets.com",
            company_name="Acme Widgets",
            phone="+14155550190",
        )
        return jon, jonathon

    def lead_list(self, workspace: Workspace, leads=(), **fields) -> LeadList:
        """A static list (unless list_type says otherwise) holding `leads`."""
        fields.setdefault("name", f"List {next(_seq)}")
        fields.setdefault("lead_count", len(leads))
        lead_list = LeadList(workspace_id=workspace.id, **fields)
        self.session.add(lead_list)
        self.session.flush()
        for lead in leads:
            self.session.add(LeadListMember(lead_list_id=lead_list.id, lead_id=lead.id))
        self.session.commit()
        return lead_list

    def list_member(self, lead_list: LeadList, lead: Lead, **fields) -> LeadListMember:
        member = LeadListMember(lead_list_id=lead_list.id, lead_id=lead.id, **fields)
        lead_list.lead_count += 1
        return self._saved(member)

    def lead_contact(self, lead: Lead, **fields) -> LeadContact:
        n = next(_seq)
        fields.setdefault("full_name", f"Contact {n}")
        fields.setdefault("email", f"contact{n}@example.com")
        fields.setdefault("email_status", "valid")
        return self._saved(LeadContact(workspace_id=lead.workspace_id, lead_id=lead.id, **fields))

    def lead_delivery(self, lead: Lead, channel: str = "email", **fields) -> LeadDelivery:
        fields.setdefault("status", "sent")
        return self._saved(
            LeadDelivery(workspace_id=lead.workspace_id, lead_id=lead.id, channel=channel, **fields)
        )

    def member(self, user: User, workspace: Workspace, role: str = "rep") -> Membership:
        membership = Membership(workspace_id=workspace.id, user_id=user.id, role=role)
        self.session.add(membership)
        self.session.commit()
        return membership

    def lead(self, workspace: Workspace, **fields) -> Lead:
        n = next(_seq)
        fields.setdefault("first_name", f"Lead{n}")
        fields.setdefault("last_name", "Person")
        fields.setdefault("email", f"lead{n}@example.com")
        fields.setdefault("source", "website")
        owner_id = fields.pop("assigned_to_id", None)  # not a field a form edits
        result = create_lead(self.session, workspace.id, fields)
        if owner_id is not None:
            result.lead.assigned_to_id = owner_id
        self.session.commit()
        return result.lead

    def merge(self, kept: Lead, other: Lead, merged_by: User | None = None) -> LeadMerge:
        """`other` merged into `kept` by the merge service (undoable, as in the app)."""
        from webapp.services.leads.merge import merge_leads

        merged = merge_leads(
            self.session,
            kept.workspace_id,
            kept.id,
            other.id,
            merged_by.id if merged_by is not None else None,
        )
        self.session.commit()
        return merged

    def signal_type(self, workspace: Workspace, **fields) -> SignalType:
        n = next(_seq)
        fields.setdefault("signal_type", f"Signal {n}")
        fields.setdefault("signal_key", " ".join(fields["signal_type"].lower().split()))
        fields.setdefault("strength", "medium")
        return self._saved(SignalType(workspace_id=workspace.id, **fields))

    def platform_upload(self, workspace: Workspace, leads=(), **fields) -> PlatformUpload:
        fields.setdefault("platform", "general-platform")
        fields.setdefault("status", "succeeded")
        ids = [str(lead.id) for lead in leads]
        return self._saved(
            PlatformUpload(workspace_id=workspace.id, lead_ids=ids, lead_count=len(ids), **fields)
        )

    def platform_route(self, workspace: Workspace, **fields) -> PlatformRoute:
        n = next(_seq)
        fields.setdefault("industry", f"Industry {n}")
        fields.setdefault("platform_name", f"platform-{n}")
        fields.setdefault("url", f"https://platform{n}.example.com/leads")
        return self._saved(PlatformRoute(workspace_id=workspace.id, **fields))

    def provider_setting(self, workspace: Workspace, provider: str = "intent", **fields):
        fields.setdefault("base_url", f"https://{provider}.example.com/v1")
        fields.setdefault("api_key", "sk_test_0123456789")
        fields.setdefault("options", {})
        return self._saved(ProviderSetting(workspace_id=workspace.id, provider=provider, **fields))

    def scheduled_period(self, workspace: Workspace | None, **fields) -> ScheduledPeriod:
        fields.setdefault("schedule", "discovery")
        fields.setdefault("scope", str(workspace.id) if workspace else "all")
        fields.setdefault("period_start", datetime(2026, 1, 1, 2, tzinfo=UTC))
        workspace_id = workspace.id if workspace else None
        return self._saved(ScheduledPeriod(workspace_id=workspace_id, **fields))

    def spam_submission(self, form: CaptureForm, **fields) -> SpamSubmission:
        fields.setdefault("payload", {"email": f"spam{next(_seq)}@example.com"})
        fields.setdefault("reason", "honeypot")
        return self._saved(
            SpamSubmission(workspace_id=form.workspace_id, form_id=form.id, **fields)
        )

    def tag(self, workspace: Workspace, name: str | None = None) -> Tag:
        return self._saved(Tag(workspace_id=workspace.id, name=name or f"tag-{next(_seq)}"))

    def topic_trend(self, workspace: Workspace, **fields) -> TopicTrend:
        fields.setdefault("topic", f"Topic {next(_seq)}")
        fields.setdefault("week_start", date(2026, 1, 4))
        fields.setdefault("volume", 12)
        fields.setdefault("previous_volume", 10)
        fields.setdefault("change_pct", 20.0)
        fields.setdefault("direction", "up")
        return self._saved(TopicTrend(workspace_id=workspace.id, **fields))

    def webhook_attempt(self, delivery: WebhookDelivery, **fields) -> WebhookAttempt:
        fields.setdefault("status_code", 200)
        return self._saved(WebhookAttempt(delivery_id=delivery.id, **fields))

    def webhook_delivery(
        self, endpoint: WebhookEndpoint, event: Event, **fields
    ) -> WebhookDelivery:
        return self._saved(
            WebhookDelivery(
                workspace_id=endpoint.workspace_id,
                endpoint_id=endpoint.id,
                event_id=event.id,
                **fields,
            )
        )

    def webhook_endpoint(self, workspace: Workspace, **fields) -> WebhookEndpoint:
        fields.setdefault("url", f"https://hooks{next(_seq)}.example.com/leadkeeper")
        fields.setdefault("event_types", ["LeadCreated"])
        return self._saved(WebhookEndpoint(workspace_id=workspace.id, **fields))


def signed_in(client, factory, role: str = "admin", **user_fields):
    """A workspace, a member of it with `role`, signed in on `client`."""
    workspace = factory.workspace()
    user = factory.user(workspace, role=role, **user_fields)
    client.login(user)
    return workspace, user
