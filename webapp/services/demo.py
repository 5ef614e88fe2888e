"""The demo workspace: two users and a few hundred realistic, varied leads."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from faker import Faker
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from webapp.models import Lead, LeadActivity, Workspace
from webapp.models.base import utcnow
from webapp.models.forms import CaptureForm
from webapp.services.accounts.users import add_member, get_or_create_workspace
from webapp.services.demo_intent import explain_discovered_leads
from webapp.services.errors import ValidationFailed
from webapp.services.leads.tags import add_tags
from webapp.services.leads.timeline import add_activity, create_lead

DEMO_SLUG = "demo"
DEMO_PASSWORD = "leadkeeper-demo"  # noqa: S105  (printed to the person trying the app)
ADMIN_EMAIL = "admin@demo.example.com"
REP_EMAIL = "rep@demo.example.com"
DEMO_FORM_NAME = "Website contact form"

INDUSTRIES = (
    "Software",
    "Fintech",
    "Healthcare",
    "Logistics",
    "Retail",
    "Manufacturing",
    "Cybersecurity",
    "Education",
    "Media",
    "Real Estate",
    "Energy",
    "DevOps",
)
TITLES = (
    "VP Sales",
    "Head of Growth",
    "CTO",
    "Engineering Manager",
    "Marketing Director",
    "Founder & CEO",
    "Procurement Lead",
    "Operations Manager",
    "Head of IT",
    "CFO",
    "Revenue Operations Manager",
    "Product Manager",
)
TECH = (
    "React, Node.js",
    "Python, AWS",
    "Salesforce, HubSpot",
    "Kubernetes, Go",
    "Shopify",
    "Snowflake, dbt",
    "Java, Oracle",
    "Rails, Postgres",
)
TAGS = ("enterprise", "smb", "q4-2026", "high-value", "webinar", "trial", "partner", "event")
SOURCE_WEIGHTS = {
    "website": 30,
    "referral": 10,
    "social": 8,
    "contact_form": 15,
    "csv_import": 12,
    "demo": 5,
    "discovery": 12,
    "api": 5,
    "other": 3,
}
STATUS_WEIGHTS = {
    "new": 35,
    "contacted": 20,
    "qualified": 14,
    "proposal": 8,
    "closed_won": 6,
    "closed_lost": 6,
    "rejected": 6,
    "archived": 5,
}


@dataclass
class DemoResult:
    workspace: Workspace
    admin_email: str
    rep_email: str
    leads_created: int
    leads_total: int
    form_key: str


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _intent(rng: random.Random) -> tuple[str, int]:
    score = rng.randint(0, 100)
    if rng.random() < 0.2:
        return "unrated", 0
    return ("hot" if score >= 70 else "warm" if score >= 40 else "cold"), score


def _lead_data(fake: Faker, rng: random.Random) -> dict:
    company = fake.company()
    domain = "".join(c for c in company.lower() if c.isalnum())[:20] + rng.choice(
        (".com", ".io", ".co", ".net")
    )
    first, last = fake.first_name(), fake.last_name()
    is_company = rng.random() < 0.15
    intent, score = _intent(rng)
    source = _pick(rng, SOURCE_WEIGHTS)
    data = {
        "type": "company" if is_company else "person",
        "company_name": company,
        "company_domain": domain,
        "website": f"https://{domain}",
        "industry": rng.choice(INDUSTRIES),
        "employee_count": rng.choice((8, 25, 60, 140, 320, 800, 2500, 12000)),
        "city": fake.city(),
        "state": fake.state_abbr(),
        "country": "United States" if rng.random() < 0.7 else fake.country(),
        "status": _pick(rng, STATUS_WEIGHTS),
        "priority": rng.choice(("low", "medium", "medium", "high")),
        "source": source,
        "lead_score": score,
        "intent": intent,
        "phone": f"+1{rng.randint(201, 989)}{rng.randint(200, 999)}{rng.randint(1000, 9999)}",
    }
    if is_company:
        data["email"] = f"info@{domain}"
        data["headquarters"] = f"{data['city']}, {data['state']}"
        data["linkedin_url"] = f"https://linkedin.com/company/{domain.split('.')[0]}"
    else:
        data.update(
            first_name=first,
            last_name=last,
            full_name=f"{first} {last}",
            email=f"{first}.{last}@{domain}".lower().replace("'", ""),
            job_title=rng.choice(TITLES),
            linkedin_url=f"https://linkedin.com/in/{first}{last}{rng.randint(1, 99)}".lower(),
        )
    if source == "discovery":
        data.update(
            search_query=f"{data['job_title'] if not is_company else 'companies'} in "
            f"{data['industry']}",
            search_mode="company" if is_company else "person",
            search_location=data["state"],
            search_industry=data["industry"],
            search_tech_stack=rng.choice(TECH),
        )
    if source in ("website", "contact_form"):
        data["message"] = fake.sentence(nb_words=12)
    return data


def _demo_discovery(session: Session, workspace_id, admin_id) -> None:
    """Seed 001's signal table and one saved discovery query (Pipeline → Queries)."""
    from webapp.services.pipeline.queries import create_query, list_queries
    from webapp.services.pipeline.signals import seed_signal_types

    seed_signal_types(session, workspace_id)
    if not list_queries(session, workspace_id):
        create_query(
            session,
            workspace_id,
            {"topic": "AI automation tools", "country": "United States", "size_min": 50,
             "size_max": 500, "industries": ["Technology"], "daily_limit": 25},
            admin_id,
        )  # fmt: skip


def load_demo_workspace(
    session: Session, lead_count: int = 500, seed: int = 7, sandbox_url: str | None = None
) -> DemoResult:
    """Create the demo workspace, users and leads; leads are added only to an empty workspace.

    With `sandbox_url` (BASE_URL + "/sandbox" when SANDBOX_PROVIDERS is on) the workspace's
    providers, delivery and platform routes point at the sandbox provider.
    """
    rng = random.Random(seed)
    fake = Faker()
    fake.seed_instance(seed)
    workspace = get_or_create_workspace(session, DEMO_SLUG, "Demo Workspace")
    admin = add_member(session, workspace, ADMIN_EMAIL, "admin", "Alex Admin", DEMO_PASSWORD)
    rep = add_member(session, workspace, REP_EMAIL, "rep", "Riley Rep", DEMO_PASSWORD)
    owners = [admin.user, rep.user, None, None]
    _demo_discovery(session, workspace.id, admin.user.id)
    created = 0
    now = utcnow()
    already = _lead_total(session, workspace)
    for _ in range(lead_count if already == 0 else 0):
        data = _lead_data(fake, rng)
        raw = {"demo": True, **{k: str(v) for k, v in data.items()}}
        try:
            result = create_lead(session, workspace.id, data, raw_data=raw)
        except ValidationFailed:
            continue  # an odd generated value; the demo just has one lead fewer
        if not result.created:
            continue
        lead = result.lead
        created += 1
        age = timedelta(days=rng.randint(0, 180), minutes=rng.randint(0, 1440))
        lead.created_at = now - age
        lead.updated_at = lead.created_at
        lead.last_activity_at = lead.created_at
        owner = rng.choice(owners)
        lead.assigned_to_id = owner.id if owner else None
        if lead.status in ("closed_won", "closed_lost"):
            lead.closed_at = lead.created_at + timedelta(days=rng.randint(1, 30))
        if rng.random() < 0.5:
            add_tags(session, lead, rng.sample(TAGS, rng.randint(1, 3)))
        if lead.status != "new":
            add_activity(
                session,
                lead,
                "status_changed",
                f"Moved to {lead.status}",
                owner.id if owner else None,
                {"old_status": "new", "new_status": lead.status},
            )
        session.flush()
        session.execute(
            update(LeadActivity)
            .where(LeadActivity.lead_id == lead.id)
            .values(created_at=lead.created_at)
        )
    session.flush()
    explain_discovered_leads(session, workspace.id, rng)
    _demo_lists(session, workspace, admin.user, rep.user)
    form = _demo_form(session, workspace, rep.user)
    _demo_campaign(session, workspace, admin.user, rep.user, rng)
    if sandbox_url:
        from webapp.services.pipeline_settings.demo import wire_to_sandbox

        wire_to_sandbox(session, workspace.id, sandbox_url, ADMIN_EMAIL)
    return DemoResult(
        workspace, ADMIN_EMAIL, REP_EMAIL, created, _lead_total(session, workspace), form.public_key
    )


def _demo_lists(session: Session, workspace: Workspace, admin, rep) -> None:
    """Two static lists and a dynamic one, made once (a workspace with lists is left alone)."""
    from webapp.models import LeadList
    from webapp.services.lists.lists import create_list
    from webapp.services.lists.members import add_members

    if session.execute(select(LeadList.id).where(LeadList.workspace_id == workspace.id)).first():
        return
    top = create_list(
        session,
        workspace.id,
        "Major prospects",
        "The highest-scoring leads, picked for the year-end push",
        "high-value, priority",
        admin.id,
    )
    best = (
        select(Lead.id)
        .where(Lead.workspace_id == workspace.id)
        .order_by(Lead.lead_score.desc(), Lead.id)
        .limit(40)
    )
    add_members(session, top, best, admin.id)
    events = create_list(
        session, workspace.id, "Event attendees", "Met at events and webinars", "events", rep.id
    )
    from webapp.services.leads.filters import LeadFilter, matching_leads

    met = matching_leads(session, (Lead.id,), LeadFilter(tag="event"), workspace.id, rep.id)
    add_members(session, events, met, rep.id)
    create_list(
        session,
        workspace.id,
        "Hot leads",
        "Every lead rated hot, always current",
        "intent",
        admin.id,
        criteria={"intent": ["hot"]},
    )


def _demo_campaign(session: Session, workspace: Workspace, admin, rep, rng) -> None:
    """An active campaign worked from two lists (the higher-priority one first), with a
    few attempts recorded by the rep. Made once: nothing is added when it exists."""
    from webapp.models import Campaign
    from webapp.services.campaigns.assignment import assign_list
    from webapp.services.campaigns.attempts import AttemptInput, record_attempt
    from webapp.services.campaigns.queue import claim_next
    from webapp.services.lists.lists import add_leads_to_list, find_or_create_list

    name = "Year End Appeal"
    found = select(Campaign).where(Campaign.workspace_id == workspace.id, Campaign.name == name)
    if session.execute(found).scalar() is not None:
        return
    leads = list(
        session.execute(
            select(Lead.id, Lead.intent)
            .where(Lead.workspace_id == workspace.id)
            .order_by(Lead.lead_score.desc(), Lead.id)
        )
    )
    if not leads:
        return
    # The demo's lists (made by _demo_lists) feed it; filled here only if they are new.
    donors = find_or_create_list(
        session, workspace.id, new_name="Major prospects", created_by_id=admin.id
    )
    if not donors.lead_count:
        add_leads_to_list(session, donors, [lead.id for lead in leads[:40]], admin.id)
    events = find_or_create_list(
        session, workspace.id, new_name="Event attendees", created_by_id=admin.id
    )
    if not events.lead_count:
        sample = rng.sample(leads, min(80, len(leads)))
        add_leads_to_list(session, events, [lead.id for lead in sample], admin.id)
    campaign = Campaign(
        workspace_id=workspace.id,
        name=name,
        description="Calls to thank last year's donors and ask for a year-end gift.",
        status="active",
        max_attempts=3,
        created_by_id=admin.id,
    )
    session.add(campaign)
    session.flush()
    assign_list(session, campaign, donors, priority=1, user_id=admin.id)
    assign_list(session, campaign, events, priority=2, max_attempts_override=2, user_id=admin.id)
    outcomes = (
        AttemptInput("converted", "Pledged on the call", Decimal("250"), None, 420, 460),
        AttemptInput("contacted", "Call back after the holidays", None, None, 180, 200),
        AttemptInput("queued", "No answer", None, None, 0, 30),
        AttemptInput("converted", "Gave online", Decimal("100"), Decimal("100"), 300, 320),
        AttemptInput("failed", "Asked not to be called", None, None, 60, 75),
    )
    for values in outcomes:
        row = claim_next(session, campaign, rep.id)
        if row is None:
            break
        record_attempt(session, campaign, row, rep.id, values)


def _demo_form(session: Session, workspace: Workspace, rep) -> CaptureForm:
    """A capture form to try the hosted page and the public endpoint with."""
    form = session.execute(
        select(CaptureForm).where(
            CaptureForm.workspace_id == workspace.id, CaptureForm.name == DEMO_FORM_NAME
        )
    ).scalar()
    if form is None:
        form = CaptureForm(
            workspace_id=workspace.id,
            name=DEMO_FORM_NAME,
            assignment_mode="owner",
            owner_id=rep.id,
            allowed_origins=["http://localhost:3000"],
        )
        session.add(form)
        session.flush()
    return form


def _lead_total(session: Session, workspace: Workspace) -> int:
    return session.execute(
        select(func.count()).select_from(Lead).where(Lead.workspace_id == workspace.id)
    ).scalar_one()
