"""Every page (tests/e2e/pages.py), as an admin, as a rep and signed out, on a laptop
(1366×768) and a phone (390×844): no sideways scrolling of the document on either, and on
the laptop no console errors, no Content-Security-Policy violations, no serious or critical
axe-core finding (the phone shows the same markup and scripts, only laid out narrower;
one page per role is axed on the phone too, for the shell's phone-only controls).
One tab per role visits every page, so each role signs in once; a template that several
pages share for a refusal (the 403 page) is checked with axe-core once.
Outside CI each page leaves a screenshot per size in tests/e2e/screenshots/ (git-ignored)
for a person to see.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.e2e.conftest import sign_in
from tests.e2e.pages import PAGES, Page

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
# Nobody looks at a CI run's screenshots, and they cost ~50 ms each (two per page and role).
SCREENSHOTS_WANTED = os.environ.get("CI", "").strip().lower() not in {"1", "true", "yes"}
VIEWPORTS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


@pytest.fixture()
def seeded(app, db, factory):
    """A workspace with enough in it that every page has something to show."""
    from webapp.models.forms import CaptureForm
    from webapp.models.webhooks import WebhookEndpoint

    workspace = factory.workspace(name="Northwind Traders")
    admin = factory.user(workspace, role="admin", name="Alex Admin")
    rep = factory.user(workspace, role="rep", name="Riley Rep")
    statuses = ("new", "contacted", "qualified", "proposal", "closed_won", "closed_lost")
    lead = None
    for n in range(14):
        made = factory.lead(
            workspace,
            full_name=f"Person {n:02d} With A Rather Long Name",
            email=f"person{n}@a-company-with-a-long-domain-name.example.com",
            company_name=f"Company {n} Incorporated and Partners",
            status=statuses[n % len(statuses)],
            intent=("hot", "warm", "cold", "unrated")[n % 4],
            lead_score=n * 7,
            source=("csv_import", "api", "website")[n % 3],
            assigned_to_id=rep.id if n % 2 else None,
        )
        lead = lead or made
    factory.likely_duplicates(workspace)
    factory.topic_trend(workspace, topic="AI automation tools for mid-size manufacturers")
    form = CaptureForm(workspace_id=workspace.id, name="Website")
    endpoint = WebhookEndpoint(
        workspace_id=workspace.id, url="https://hooks.example.com/leadkeeper", event_types=[]
    )
    db.session.add_all([form, endpoint])
    db.session.commit()
    values = {"lead": lead.id, "form": form.id, "form_key": form.public_key}
    values["endpoint"] = endpoint.id
    values["list"] = factory.lead_list(
        workspace,
        name="Spring donors with a rather long list name",
        description="People who gave in spring",
        tags=["donors", "spring-2026"],
        created_by_id=admin.id,
        leads=[lead],
    ).id
    values["dynamic_list"] = factory.lead_list(
        workspace,
        name="Hot leads",
        list_type="dynamic",
        criteria={"intent": ["hot"]},
        created_by_id=admin.id,
    ).id
    values.update(_imports(app, workspace, admin))
    values.update(_seed_campaign(app, db, factory, workspace, rep))
    company = factory.core_company(
        domain="a-company-with-a-long-domain-name.example.com",
        name="A Company With A Rather Long Name Incorporated",
        industry="Industrial Automation and Robotics",
        employee_count=12_500,
        city="San Francisco",
    )
    person = factory.core_person(company, full_name="Person With A Rather Long Name", title="VP")
    factory.target_client_lead(
        workspace, target_client_domain="prospect.example.com", full_name=person.full_name,
        core_person_id=person.id, core_company_id=company.id, company_name=company.name,
    )  # fmt: skip
    values["core_company"], values["target_client"] = company.id, "prospect.example.com"
    values.update(_seeded_discovery(db, factory, workspace, admin))
    return {"admin": admin, "rep": rep, "values": values}


def _imports(app, workspace, admin) -> dict:
    """A finished import (with a rejected row) and one waiting for its mapping."""
    from tests.imports.helpers import csv_bytes, run_in_process, upload

    rows = [["E-mail", "First Name", "Company Name"], ["ann@example.com", "Ann", "Acme"],
            ["not-an-email", "Bob", "A company with a rather long name, Incorporated"]]  # fmt: skip
    done = run_in_process(app, workspace, admin, csv_bytes(rows), "spring-fair-attendees.csv")
    waiting = upload(app, workspace, admin, csv_bytes(rows), "to-map.csv")
    return {"import": done.id, "import_to_map": waiting.id}


def _seed_campaign(app, db, factory, workspace, rep) -> dict:
    """A campaign with a list of the leads and one attempt: {campaign}, {campaign_lead}."""
    from webapp.models import CampaignLead, Lead

    if "campaigns.index" not in app.view_functions:
        return {}
    from webapp.services.campaigns.assignment import assign_list

    leads = db.session.execute(db.select(Lead).where(Lead.workspace_id == workspace.id)).scalars()
    lead_list = factory.lead_list(workspace, leads=list(leads), name="Year-end donors")
    campaign = factory.campaign(
        workspace, name="Year End Appeal", status="active", description="Call the donors."
    )
    assign_list(db.session, campaign, lead_list, filter_criteria={"intent": ["hot", "warm"]})
    db.session.commit()
    row = db.session.execute(
        db.select(CampaignLead).where(CampaignLead.campaign_id == campaign.id).limit(1)
    ).scalar_one()
    factory.campaign_attempt(row, user_id=rep.id, outcome="Call back", pledged_amount=50)
    return {"campaign": campaign.id, "campaign_lead": row.id}


def _seeded_discovery(db, factory, workspace, admin) -> dict:
    """A saved query and a discovered lead with signals and an override (Pipeline pages)."""
    from webapp.services.pipeline.discovery import intent_data_for
    from webapp.services.pipeline.scoring import intent_for

    query = factory.discovery_query(
        workspace, topic="AI automation tools for mid-sized manufacturing companies",
        country="United States", state="California", industries=["Technology", "Finance"],
        size_min=50, size_max=500,
    )  # fmt: skip
    signals = [
        {"signal_type": name, "signal_strength": strength, "source": "DataShopper",
         "detected_at": "2026-01-22T10:30:00Z"}
        for name, strength in (("Company researching topic", "high"),
                               ("Visited competitor website", "high"),
                               ("Downloaded whitepaper", "medium"))
    ]  # fmt: skip
    computed = intent_for(signals, {})
    lead = factory.lead(
        workspace, type="company", email=None, first_name=None, last_name=None,
        company_name="Acme Manufacturing International", company_domain="acme-manufacturing.example.com",
        source="discovery", intent="hot", lead_score=80, intent_explanation=computed.explanation,
    )  # fmt: skip
    data = intent_data_for(computed)
    data["override"] = {
        "intent": "hot",
        "by": str(admin.id),
        "by_name": admin.name,
        "at": "2026-01-23T08:00:00Z",
    }
    lead.intent_data, lead.discovery_query_id = data, query.id
    db.session.commit()
    return {"query": query.id, "discovered_lead": lead.id}


def _expected_status(page: Page, role: str) -> int:
    return page.status_for_rep if role == "rep" and page.status_for_rep else page.status


def _pages_for(role: str, app) -> list[Page]:
    return [
        p
        for p in PAGES
        if (role in p.roles or (role == "rep" and p.status_for_rep))
        and (p.endpoint is None or p.endpoint in app.view_functions)
    ]


@contextmanager
def sweep_tab(browser, live_server):
    """One tab for a whole sweep, with axe-core in every page it opens."""
    context = browser.new_context(
        base_url=live_server, viewport=VIEWPORTS["laptop"], reduced_motion="reduce"
    )  # reduced motion: no sidebar caught mid-slide when the tab narrows to a phone
    # add_script_tag would be an inline script, which our Content-Security-Policy
    # refuses (rightly); an init script comes in through the browser's own channel.
    context.add_init_script(path=str(AXE))
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    try:
        yield tab
    finally:
        context.close()


def check_page(
    tab,
    page: Page,
    role: str,
    values: dict,
    problems: list,
    axe: bool = True,
    axe_on_phone: bool = False,
):
    """Open the page on a laptop: its status, no sideways scrolling, no console error or
    CSP violation, no serious axe-core finding. Then narrow the same tab to a phone: no
    sideways scrolling there either. Only CSS media queries read the width (no script
    does), so narrowing shows what a phone that opened the page would show. `axe_on_phone`
    runs axe-core there too: the shell's phone-only controls (the menu button) are hidden
    on a laptop, where axe-core passes them by.
    """
    expected = _expected_status(page, role)
    messages: list[str] = []
    listener = lambda message: messages.append(f"{message.type}: {message.text}")  # noqa: E731
    on_error = lambda error: messages.append(f"pageerror: {error}")  # noqa: E731
    tab.on("console", listener)
    tab.on("pageerror", on_error)
    if SCREENSHOTS_WANTED:
        SCREENSHOTS.mkdir(exist_ok=True)
    try:
        tab.set_viewport_size(VIEWPORTS["laptop"])
        response = tab.goto(page.path.format(**values))
        if response.status != expected:
            problems.append(f"{role} {page.name}: HTTP {response.status}, expected {expected}")
        for viewport, size in VIEWPORTS.items():
            where = f"{role} {viewport} {page.name}"
            tab.set_viewport_size(size)
            width = tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if width[0] > width[1]:
                problems.append(f"{where}: {width[0]}px wide in a {width[1]}px window")
            if axe and (viewport == "laptop" or axe_on_phone):
                for violation in tab.evaluate(AXE_RUN):
                    problems.append(f"{where}: axe {json.dumps(violation)}")
            if SCREENSHOTS_WANTED:
                tab.screenshot(path=str(SCREENSHOTS / f"{role}-{page.name}-{viewport}.png"))
        for text in messages:
            expected_error = expected >= 400 and "Failed to load resource" in text
            if ("error" in text.split(":")[0] or "Content Security Policy" in text) and not (
                expected_error
            ):
                problems.append(f"{role} {page.name}: console {text}")
    finally:
        tab.remove_listener("console", listener)
        tab.remove_listener("pageerror", on_error)


# Each signed-in role's pages in two halves, so the two test workers can share them out.
SWEEPS = [("admin", 0, 2), ("admin", 1, 2), ("rep", 0, 2), ("rep", 1, 2), ("anonymous", 0, 1)]


@pytest.mark.parametrize(
    ("role", "part", "parts"), SWEEPS, ids=[f"{r}-{p + 1}of{n}" for r, p, n in SWEEPS]
)
def test_every_page_fits_is_clean_and_accessible(
    browser, live_server, app, seeded, role, part, parts
):
    assert AXE.exists(), "run `npm ci` (axe-core is a devDependency)"
    problems: list[str] = []
    error_pages_checked: set[int] = set()  # one 403 (404) template: axe it once
    with sweep_tab(browser, live_server) as tab:
        if role != "anonymous":
            sign_in(tab, seeded[role])
        pages = _pages_for(role, app)[part::parts]
        for page in pages:
            status = _expected_status(page, role)
            axe = status < 400 or status not in error_pages_checked
            error_pages_checked.add(status)
            shell_on_phone = part == 0 and page == pages[0]  # once per role
            check_page(tab, page, role, seeded["values"], problems, axe, shell_on_phone)
    assert not problems, "\n".join(problems)
