"""Factories for the objects tests need; each commits so HTTP requests see it.

One method per model, in alphabetical order; keyword arguments override any column.
Objects that have a service to make them (leads, API tokens, merges) are made by it,
so they come with what the service writes beside them (activity, event, secret).
"""

from __future__ import annotations

import itertools

from webapp.models import (
    AuditLog,
    Campaign,
    CampaignLead,
    CampaignLeadAttempt,
    CampaignLeadList,
    CoreCompany,
    CorePerson,
    Event,
    Lead,
    LeadActivity,
    LeadList,
    LeadListMember,
    Membership,
    Tag,
    User,
    Workspace,
)
from webapp.models.crm import Account, Contact
from webapp.models.forms import CaptureForm, IdempotencyKey, SpamSubmission
from webapp.models.jobs import JobRun
from webapp.models.merges import LeadMerge
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

    def api_token(self, workspace: Workspace, name: str | None = None, created_by=None):
        """A NewToken: `.token` (the row) and `.secret` (the bearer token, shown once)."""
        from webapp.services.accounts.api_tokens import create_token

        made = create_token(
            self.session,
            workspace.id,
            name or f"Token {next(_seq)}",
            created_by.id if created_by is not None else None,
        )
        self.session.commit()
        return made

    def audit_entry(self, workspace: Workspace, action: str = "lead.viewed", **fields) -> AuditLog:
        return self._saved(AuditLog(workspace_id=workspace.id, action=action, **fields))

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

    def event(self, workspace: Workspace, event_type: str = "LeadCreated", **fields) -> Event:
        fields.setdefault("payload", {})
        return self._saved(Event(workspace_id=workspace.id, event_type=event_type, **fields))

    def idempotency_key(self, form: CaptureForm, **fields) -> IdempotencyKey:
        fields.setdefault("key", f"key-{next(_seq)}")
        fields.setdefault("request_hash", "0" * 64)
        return self._saved(IdempotencyKey(form_id=form.id, **fields))

    def job_run(self, workspace: Workspace, kind: str = "diagnostics.noop", **fields) -> JobRun:
        return self._saved(JobRun(workspace_id=workspace.id, kind=kind, **fields))

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

    def spam_submission(self, form: CaptureForm, **fields) -> SpamSubmission:
        fields.setdefault("payload", {"email": f"spam{next(_seq)}@example.com"})
        fields.setdefault("reason", "honeypot")
        return self._saved(
            SpamSubmission(workspace_id=form.workspace_id, form_id=form.id, **fields)
        )

    def tag(self, workspace: Workspace, name: str | None = None) -> Tag:
        return self._saved(Tag(workspace_id=workspace.id, name=name or f"tag-{next(_seq)}"))

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
