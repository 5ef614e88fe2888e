"""The campaign pages: make and edit campaigns, assign and order lists, work the queue."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from tests.factories import signed_in
from tests.helpers import WebClient
from tests.web.test_background_work import burst_worker
from webapp.models import Campaign, CampaignLead, CampaignLeadList
from webapp.models.campaigns import CampaignLeadAttempt
from webapp.redis_conn import get_redis
from webapp.services.campaigns.assignment import assign_list


def _campaign_with_list(db, factory, workspace, n=3, **campaign_fields):
    campaign_fields.setdefault("status", "active")
    leads = [
        factory.lead(workspace, full_name=f"Person {i}", phone=f"+1415555010{i}") for i in range(n)
    ]
    lead_list = factory.lead_list(workspace, leads=leads, name=f"Donors {uuid.uuid4().hex[:6]}")
    campaign = factory.campaign(workspace, **campaign_fields)
    link = assign_list(db.session, campaign, lead_list)
    db.session.commit()
    return campaign, lead_list, link, leads


def _row_id(response) -> str:
    match = re.search(r"/leads/([0-9a-f-]{36})$", response.headers["Location"])
    assert match, response.headers.get("Location")
    return match.group(1)


def test_admin_creates_edits_and_archives_a_campaign(client, factory, db):
    workspace, _ = signed_in(client, factory, "admin")
    assert client.get("/campaigns/new").status_code == 200
    response = client.post_form(
        "/campaigns",
        {
            "name": "Year End 2025",
            "status": "draft",
            "max_attempts": "4",
            "starts_at": "2025-11-01",
        },
    )
    assert response.status_code == 302
    campaign = db.session.execute(select(Campaign)).scalar_one()
    assert (campaign.name, campaign.max_attempts, campaign.workspace_id) == (
        "Year End 2025",
        4,
        workspace.id,
    )
    page = client.get("/campaigns").get_data(as_text=True)
    assert "Year End 2025" in page

    bad = client.post_form(f"/campaigns/{campaign.id}/edit", {"name": "", "max_attempts": "0"})
    assert bad.status_code == 422
    assert "is required" in bad.get_data(as_text=True)
    client.post_form(
        f"/campaigns/{campaign.id}/edit",
        {"name": "Year End", "status": "active", "max_attempts": "2", "ends_at": "2025-12-31"},
    )
    db.session.expire_all()
    assert (campaign.name, campaign.status, campaign.max_attempts) == ("Year End", "active", 2)

    client.post_form(f"/campaigns/{campaign.id}/archive", {"archived": "1"})
    db.session.expire_all()
    assert campaign.is_archived
    row = f'id="campaign-{campaign.id}"'
    assert row not in client.get("/campaigns").get_data(as_text=True)
    assert row in client.get("/campaigns?archived=1").get_data(as_text=True)


def test_campaign_page_shows_lists_stats_and_queue_in_order(client, factory, db):
    from datetime import timedelta

    from webapp.models.base import utcnow

    workspace, _ = signed_in(client, factory, "rep")
    campaign, lead_list, link, leads = _campaign_with_list(db, factory, workspace)
    later = factory.lead_list(workspace, leads=[factory.lead(workspace, full_name="Zed Later")])
    assign_list(db.session, campaign, later)
    rows = {r.lead_id: r for r in db.session.execute(select(CampaignLead)).scalars()}
    for n, lead in enumerate(leads):  # Person 2 is due first, then 1, then 0
        rows[lead.id].next_attempt_at = utcnow() - timedelta(minutes=10 * n)
    db.session.commit()
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert lead_list.name in page
    assert 'id="total-leads">4<' in page
    queue = page[page.index('id="queue-title"') :]
    order = [queue.index(name) for name in ("Person 2", "Person 1", "Person 0", "Zed Later")]
    assert order == sorted(order)
    assert "Work next lead" in page
    assert "Assign a list" not in page  # reps work, admins manage


def test_admin_assigns_a_list_with_a_filter_and_reorders_by_arrows_and_by_drag(client, factory, db):
    workspace, _ = signed_in(client, factory, "admin")
    hot, cold = factory.lead(workspace, intent="hot"), factory.lead(workspace, intent="cold")
    first = factory.lead_list(workspace, leads=[hot, cold], name="Event attendees")
    second = factory.lead_list(workspace, leads=[hot], name="Major donors")
    campaign = factory.campaign(workspace, status="active")

    response = client.post_form(
        f"/campaigns/{campaign.id}/lists",
        {"list_id": str(first.id), "f_intent": "hot", "max_attempts_override": "5"},
    )
    assert response.status_code == 302
    link_one = db.session.execute(select(CampaignLeadList)).scalar_one()
    assert (link_one.filter_criteria, link_one.max_attempts_override) == ({"intent": ["hot"]}, 5)
    assert link_one.total_leads == 1  # the cold lead does not pass the filter
    client.post_form(f"/campaigns/{campaign.id}/lists", {"list_id": str(second.id)})
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert page.index("Event attendees") < page.index("Major donors")

    link_two = db.session.execute(
        select(CampaignLeadList).where(CampaignLeadList.lead_list_id == second.id)
    ).scalar_one()
    client.post_form(
        f"/campaigns/{campaign.id}/lists/{link_two.id}/move", {"direction": "up"}
    )  # the arrow button: a plain form
    db.session.expire_all()
    assert (link_two.priority, link_one.priority) == (1, 2)
    row = db.session.execute(select(CampaignLead)).scalar_one()
    assert (row.lead_list_id, row.list_priority) == (second.id, 1)  # not worked: moved up

    # The drag posts the whole order and asks for JSON.
    answer = client.post_form(
        f"/campaigns/{campaign.id}/lists/order",
        {"link": [str(link_one.id), str(link_two.id)]},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 200 and answer.json["message"] == "Lists reordered."
    db.session.expire_all()
    assert (link_one.priority, link_two.priority) == (1, 2)
    assert row.lead_list_id == first.id
    bad = client.post_form(f"/campaigns/{campaign.id}/lists/order", {"link": [str(link_one.id)]})
    assert bad.status_code == 422
    for form in ({}, {"list_id": str(first.id), "priority": "first"}):
        refused = client.post_form(f"/campaigns/{campaign.id}/lists", form)
        assert refused.status_code == 422, form


def test_two_reps_working_next_never_get_the_same_lead(app, client, factory, db):
    workspace, ana = signed_in(client, factory, "rep")
    campaign, _, link, leads = _campaign_with_list(db, factory, workspace, n=2)
    bo = factory.user(workspace, role="rep")
    other = WebClient(app.test_client())
    other.login(bo)

    first = client.post_form(f"/campaigns/{campaign.id}/next")
    second = other.post_form(f"/campaigns/{campaign.id}/next")
    row_a, row_b = _row_id(first), _row_id(second)
    assert row_a != row_b
    db.session.expire_all()
    held = {r.locked_by_id for r in db.session.execute(select(CampaignLead)).scalars()}
    assert held == {ana.id, bo.id}
    # Asking again gives each rep the lead they hold, not a third one.
    assert _row_id(client.post_form(f"/campaigns/{campaign.id}/next")) == row_a
    # Nobody else is due: a third rep gets a message, no lead.
    third = WebClient(app.test_client())
    third.login(factory.user(workspace, role="rep"))
    response = third.post_form(f"/campaigns/{campaign.id}/next", follow_redirects=True)
    assert "No lead is due" in response.get_data(as_text=True)
    # Bo can read Ana's lead but not record on it.
    page = other.get(f"/campaigns/{campaign.id}/leads/{row_a}").get_data(as_text=True)
    assert "Another rep is working this lead now" in page
    refused = other.post_form(
        f"/campaigns/{campaign.id}/leads/{row_a}/attempts", {"status": "contacted"}
    )
    assert refused.status_code == 409


def test_recording_attempts_counts_up_keeps_history_and_stats(client, factory, db):
    workspace, rep = signed_in(client, factory, "rep")
    campaign, _, link, leads = _campaign_with_list(db, factory, workspace, n=2, max_attempts=2)
    row_id = _row_id(client.post_form(f"/campaigns/{campaign.id}/next"))
    page = client.get(f"/campaigns/{campaign.id}/leads/{row_id}").get_data(as_text=True)
    claimed = db.session.get(CampaignLead, uuid.UUID(row_id))
    worked = next(lead for lead in leads if lead.id == claimed.lead_id)
    assert worked.full_name in page and worked.phone in page

    bad = client.post_form(
        f"/campaigns/{campaign.id}/leads/{row_id}/attempts",
        {"status": "won", "pledged_amount": "lots", "talk_time": "-3"},
    )
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "must be one of" in text and "must be an amount" in text

    response = client.post_form(
        f"/campaigns/{campaign.id}/leads/{row_id}/attempts",
        {
            "status": "converted",
            "outcome": "Pledged at the gala",
            "pledged_amount": "250",
            "donated_amount": "100.50",
            "talk_time": "300",
            "call_duration": "320",
            "then": "back",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(CampaignLead, uuid.UUID(row_id))
    assert (row.attempts, row.status, row.locked_by_id) == (1, "converted", None)
    assert (str(row.pledged_amount), str(row.donated_amount), row.total_talk_time) == (
        "250.00",
        "100.50",
        300,
    )
    attempt = db.session.execute(select(CampaignLeadAttempt)).scalar_one()
    assert (attempt.user_id, attempt.outcome, attempt.call_duration) == (
        rep.id,
        "Pledged at the gala",
        320,
    )
    assert (link.total_leads, link.contacted_leads, link.successful_leads) == (2, 1, 1)
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'id="total-pledged">250.00<' in page and 'id="total-donated">100.50<' in page
    assert 'id="total-rate">100.00%<' in page
    # Another campaign (here, and in another workspace) counts only its own money.
    other = factory.campaign(workspace, name="Spring", status="active")
    page = client.get(f"/campaigns/{other.id}").get_data(as_text=True)
    assert 'id="total-pledged">0.00<' in page and 'id="total-donated">0.00<' in page
    lead_page = client.get(f"/leads/{row.lead_id}").get_data(as_text=True)
    assert 'id="lead-campaigns"' in lead_page and "Pledged at the gala" in lead_page


def test_a_lead_past_its_max_attempts_leaves_the_queue(client, factory, db):
    workspace, _ = signed_in(client, factory, "rep")
    campaign, _, link, _ = _campaign_with_list(db, factory, workspace, n=1, max_attempts=2)
    for attempt in (1, 2):
        row_id = _row_id(client.post_form(f"/campaigns/{campaign.id}/next"))
        client.post_form(
            f"/campaigns/{campaign.id}/leads/{row_id}/attempts",
            {"status": "queued", "outcome": "No answer"},
        )
        db.session.expire_all()
        row = db.session.get(CampaignLead, uuid.UUID(row_id))
        assert row.attempts == attempt
    assert (row.status, row.exhausted_at is not None) == ("failed", True)
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'id="queue-total">0 leads waiting' in page
    response = client.post_form(f"/campaigns/{campaign.id}/next", follow_redirects=True)
    assert "No lead is due" in response.get_data(as_text=True)


def test_raising_max_attempts_brings_exhausted_leads_back(client, factory, db):
    workspace, _ = signed_in(client, factory, "admin")
    campaign, _, link, _ = _campaign_with_list(db, factory, workspace, n=1, max_attempts=1)
    row_id = _row_id(client.post_form(f"/campaigns/{campaign.id}/next"))
    client.post_form(f"/campaigns/{campaign.id}/leads/{row_id}/attempts", {"status": "queued"})
    db.session.expire_all()
    assert db.session.get(CampaignLead, uuid.UUID(row_id)).status == "failed"
    client.post_form(
        f"/campaigns/{campaign.id}/lists/{link.id}",
        {"max_attempts_override": "3", "is_active": "1"},
    )
    db.session.expire_all()
    assert db.session.get(CampaignLead, uuid.UUID(row_id)).status == "queued"


def test_resync_button_adds_new_members_of_a_dynamic_list(client, factory, db):
    workspace, _ = signed_in(client, factory, "admin")
    factory.lead(workspace, intent="hot")
    dynamic = factory.lead_list(
        workspace, list_type="dynamic", criteria={"intent": ["hot"]}, name="Hot"
    )
    campaign = factory.campaign(workspace)
    link = assign_list(db.session, campaign, dynamic)
    db.session.commit()
    factory.lead(workspace, intent="hot")
    response = client.post_form(f"/campaigns/{campaign.id}/resync", follow_redirects=True)
    assert response.status_code == 200
    if get_redis() is not None:
        burst_worker()  # with Redis a real worker runs the job
    db.session.expire_all()
    assert link.total_leads == 2


def test_reports_show_seed_metrics(client, factory, db):
    workspace, _ = signed_in(client, factory, "rep")
    spring, donors, link, leads = _campaign_with_list(db, factory, workspace, n=4)
    fall = factory.campaign(workspace, name="Fall")
    assign_list(db.session, fall, donors)
    rows = db.session.execute(
        select(CampaignLead).where(CampaignLead.campaign_id == spring.id)
    ).scalars()
    for row, status in zip(rows, ("converted", "contacted", "contacted", "new"), strict=True):
        row.status = status
    db.session.commit()
    from webapp.services.campaigns.assignment import recount

    recount(db.session, spring)
    factory.lead(workspace, intent="hot", lead_score=80)
    factory.lead(workspace, intent="hot", lead_score=60)
    db.session.commit()

    page = client.get("/campaigns/reports").get_data(as_text=True)
    assert "33.33%" in page  # 1 successful of 3 contacted
    reuse = page[page.index('id="report-reusability"') :]
    assert '<td class="used">2</td>' in reuse and '<td class="conversions">1</td>' in reuse
    quality = page[page.index('id="quality-hot"') :]
    assert '<td class="count">2</td>' in quality and '<td class="avg">70.0</td>' in quality
    assert "<svg" in page and "<script" not in page.split("</head>")[1]


ADMIN_POSTS = (
    "/campaigns/{c}/edit",
    "/campaigns/{c}/archive",
    "/campaigns/{c}/lists",
    "/campaigns/{c}/lists/order",
    "/campaigns/{c}/lists/{link}/move",
    "/campaigns/{c}/lists/{link}",
    "/campaigns/{c}/lists/{link}/remove",
    "/campaigns/{c}/resync",
)


def test_reps_may_not_manage_campaigns(client, factory, db):
    workspace, _ = signed_in(client, factory, "rep")
    campaign, _, link, _ = _campaign_with_list(db, factory, workspace, n=1)
    assert client.get("/campaigns/new").status_code == 403
    assert client.get(f"/campaigns/{campaign.id}/edit").status_code == 403
    assert client.post_form("/campaigns", {"name": "X"}).status_code == 403
    for path in ADMIN_POSTS:
        url = path.format(c=campaign.id, link=link.id)
        assert client.post_form(url, {"direction": "up"}).status_code == 403, url
    assert db.session.execute(select(Campaign.name)).scalars().all() == [campaign.name]


def test_another_workspace_campaign_is_404_on_every_route(client, factory, db):
    signed_in(client, factory, "admin")
    theirs = factory.workspace()
    campaign, _, link, _ = _campaign_with_list(db, factory, theirs, n=1)
    row = db.session.execute(select(CampaignLead)).scalar_one()
    gets = (
        "/campaigns/{c}",
        "/campaigns/{c}/edit",
        "/campaigns/{c}/leads/{row}",
    )
    posts = (
        *ADMIN_POSTS,
        "/campaigns/{c}/next",
        "/campaigns/{c}/leads/{row}/attempts",
        "/campaigns/{c}/leads/{row}/release",
    )
    for path in gets:
        url = path.format(c=campaign.id, link=link.id, row=row.id)
        assert client.get(url).status_code == 404, url
    for path in posts:
        url = path.format(c=campaign.id, link=link.id, row=row.id)
        assert client.post_form(url, {"status": "contacted"}).status_code == 404, url
    assert campaign.name not in client.get("/campaigns").get_data(as_text=True)
    assert campaign.name not in client.get("/campaigns/reports").get_data(as_text=True)
    # Their list cannot be assigned to my campaign either.
    mine = factory.campaign(factory.workspace())
    db.session.commit()
    assert client.get(f"/campaigns/{mine.id}").status_code == 404
    assert client.get("/campaigns/not-a-uuid").status_code == 404
    db.session.expire_all()
    assert (row.attempts, row.locked_by_id) == (0, None)


def test_a_list_of_another_workspace_cannot_be_assigned(client, factory, db):
    workspace, _ = signed_in(client, factory, "admin")
    campaign = factory.campaign(workspace)
    theirs = factory.lead_list(factory.workspace())
    response = client.post_form(f"/campaigns/{campaign.id}/lists", {"list_id": str(theirs.id)})
    assert response.status_code == 404
    assert db.session.execute(select(CampaignLeadList)).first() is None


def test_a_post_without_the_csrf_token_is_refused(client, factory, db):
    workspace, _ = signed_in(client, factory, "rep")
    campaign, _, _, _ = _campaign_with_list(db, factory, workspace, n=1)
    response = client.raw.post(f"/campaigns/{campaign.id}/next")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.execute(select(CampaignLead.locked_by_id)).scalar_one() is None


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/campaigns")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_release_gives_the_lead_back(client, factory, db):
    workspace, _ = signed_in(client, factory, "rep")
    campaign, _, _, _ = _campaign_with_list(db, factory, workspace, n=1)
    row_id = _row_id(client.post_form(f"/campaigns/{campaign.id}/next"))
    client.post_form(f"/campaigns/{campaign.id}/leads/{row_id}/release")
    db.session.expire_all()
    row = db.session.get(CampaignLead, uuid.UUID(row_id))
    assert (row.locked_by_id, row.status) == (None, "new")


@pytest.mark.parametrize("status", ["draft", "paused"])
def test_only_active_campaigns_are_worked(client, factory, db, status):
    workspace, _ = signed_in(client, factory, "rep")
    campaign, _, _, _ = _campaign_with_list(db, factory, workspace, n=1, status=status)
    response = client.post_form(f"/campaigns/{campaign.id}/next", follow_redirects=True)
    assert "Only an active campaign can be worked" in response.get_data(as_text=True)
