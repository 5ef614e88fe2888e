"""Running files through the import job, on the real database (both backends)."""

from __future__ import annotations

import pytest

from tests.helpers import activities
from tests.imports.helpers import counts, csv_bytes, leads_of, reloaded, run_file
from webapp.jobs import enqueue
from webapp.models import AuditLog, Lead, LeadListMember

HEADER = ["E-mail", "First Name", "Last Name", "Company Name", "Phone Number"]


def test_a_small_file_creates_leads(app, db, desk):
    workspace, admin = desk
    data = csv_bytes(
        [
            HEADER,
            ["ann@example.com", "Ann", "Lee", "Acme", ""],
            ["bob@example.com", "Bob", "", "", ""],
            ["not-an-email", "X", "", "", ""],
        ]
    )
    imp = run_file(app, workspace, admin, data, batch_size=2)
    assert counts(imp) == {
        "total": 3,
        "done": 3,
        "created": 2,
        "updated": 0,
        "skipped": 0,
        "invalid": 1,
    }
    leads = leads_of(workspace)
    assert [lead.email for lead in leads] == ["ann@example.com", "bob@example.com"]
    assert leads[0].full_name == "Ann Lee" and leads[0].source == "csv_import"


def _existing(factory, workspace):
    return factory.lead(
        workspace, email="ann@example.com", first_name="Ann", last_name="Lee", company_name="",
        job_title="CTO",
    )  # fmt: skip


POLICY_FILE = [
    ["Email", "First Name", "Last Name", "Company", "Title", "City"],
    ["ANN@example.com", "Annie", "Leigh", "Acme", "CEO", ""],
]


@pytest.mark.parametrize(
    "policy,expected",
    [
        ("skip", {"first_name": "Ann", "company_name": None, "job_title": "CTO"}),
        ("fill", {"first_name": "Ann", "company_name": "Acme", "job_title": "CTO"}),
        ("overwrite", {"first_name": "Annie", "company_name": "Acme", "job_title": "CEO"}),
    ],
)
def test_duplicate_policies(app, db, factory, desk, policy, expected):
    workspace, admin = desk
    ann = _existing(factory, workspace)
    imp = run_file(app, workspace, admin, csv_bytes(POLICY_FILE), duplicate_policy=policy)
    result = counts(imp)
    assert result["created"] == 0
    assert (result["updated"], result["skipped"]) == ((0, 1) if policy == "skip" else (1, 0))
    db.session.expire_all()
    lead = db.session.get(Lead, ann.id)
    assert {k: getattr(lead, k) for k in expected} == expected
    assert lead.city is None  # an empty cell never clears a field
    assert len(activities(db, lead, "imported")) == 1
    members = (
        db.session.execute(db.select(LeadListMember).where(LeadListMember.lead_id == ann.id))
        .scalars()
        .all()
    )
    assert [m.lead_list_id for m in members] == [imp.lead_list_id]


def test_importing_the_same_file_twice_creates_no_new_lead(app, db, desk):
    workspace, admin = desk
    rows = (
        [["Email", "Name", "Phone"]]
        + [[f"p{n}@example.com", f"P {n}", ""] for n in range(30)]
        + [["", "No Email", "+14155550123"]]
    )
    first = run_file(app, workspace, admin, csv_bytes(rows), batch_size=7)
    assert counts(first)["created"] == 31
    second = run_file(app, workspace, admin, csv_bytes(rows), batch_size=7)
    assert counts(second) == {
        "total": 31, "done": 31, "created": 0, "updated": 0, "skipped": 31, "invalid": 0
    }  # fmt: skip
    assert len(leads_of(workspace)) == 31
    third = run_file(app, workspace, admin, csv_bytes(rows), duplicate_policy="overwrite")
    assert counts(third)["created"] == 0 and len(leads_of(workspace)) == 31


def test_revert_keeps_a_created_lead_worked_on_since(app, db, factory, desk):
    from webapp.services.leads.changes import add_note

    workspace, admin = desk
    rows = [["Email", "Name"], ["worked@example.org", "Worked Lead"], ["idle@example.org", "Idle"]]
    imp = run_file(app, workspace, admin, csv_bytes(rows))
    assert counts(imp)["created"] == 2
    worked = db.session.execute(db.select(Lead).where(Lead.email == "worked@example.org"))
    worked = worked.scalar_one()
    add_note(db.session, worked, "I want to buy 500 seats", admin.id)
    db.session.commit()
    run = enqueue("imports.revert", imp.id, admin.id, workspace_id=workspace.id,
                  started_by=admin.id)  # fmt: skip
    assert run.status == "succeeded"
    db.session.expire_all()
    assert {lead.email for lead in leads_of(workspace)} == {"worked@example.org"}
    assert "1 created leads kept (worked on since)" in reloaded_run_message(db, run)


def reloaded_run_message(db, run) -> str:
    from webapp.models import JobRun

    db.session.expire_all()
    return db.session.get(JobRun, run.id).message


def test_revert_restores_unless_changed_since(app, db, factory, desk):
    workspace, admin = desk
    ann = _existing(factory, workspace)
    bob = factory.lead(workspace, email="bob@example.com", first_name="Bob", job_title="Dev")
    lead_list = factory.lead_list(workspace, leads=[bob], name="Kept list")
    rows = [["Email", "Title", "Company"], ["ann@example.com", "CEO", "Acme"],
            ["bob@example.com", "Lead dev", ""], ["new@example.com", "Intern", "Newco"]]  # fmt: skip
    imp = run_file(
        app, workspace, admin, csv_bytes(rows), duplicate_policy="overwrite",
        list_id=str(lead_list.id), tags="fair",
    )  # fmt: skip
    assert counts(imp)["created"] == 1 and counts(imp)["updated"] == 2
    # Someone changes Ann's company after the import: the revert keeps it.
    db.session.expire_all()
    db.session.get(Lead, ann.id).company_name = "Acme Corp"
    db.session.commit()
    run = enqueue("imports.revert", imp.id, admin.id, workspace_id=workspace.id,
                  started_by=admin.id)  # fmt: skip
    assert run.status == "succeeded"
    db.session.expire_all()
    ann, bob = db.session.get(Lead, ann.id), db.session.get(Lead, bob.id)
    assert ann.job_title == "CTO" and ann.company_name == "Acme Corp"
    assert bob.job_title == "Dev"
    assert [t.name for t in ann.tags] == []
    emails = {lead.email for lead in leads_of(workspace)}
    assert emails == {"ann@example.com", "bob@example.com"}
    members = (
        db.session.execute(
            db.select(LeadListMember.lead_id).where(LeadListMember.lead_list_id == lead_list.id)
        )
        .scalars()
        .all()
    )
    assert members == [bob.id]  # Bob was a member before; Ann's membership went
    (note,) = [a for a in activities(db, ann, "updated") if "reverted" in (a.description or "")]
    assert "restored job title" in note.description and "kept company name" in note.description
    assert len([a for a in activities(db, bob, "updated") if "reverted" in a.description]) == 1
    assert reloaded(imp).reverted_at is not None
    db.session.refresh(lead_list)
    assert lead_list.lead_count == 1
    assert db.session.execute(
        db.select(AuditLog).where(AuditLog.action == "import.reverted")
    ).scalar()


def test_an_import_for_a_campaign_fills_its_list_and_assigns_it(app, db, factory, desk):
    from webapp.models import CampaignLead, CampaignLeadList

    workspace, admin = desk
    campaign = factory.campaign(workspace, name="Year End", status="active")
    rows = [["Email", "Name"], ["a@example.com", "A"], ["b@example.com", "B"], ["bad", "C"]]
    imp = run_file(app, workspace, admin, csv_bytes(rows), campaign_id=str(campaign.id))
    assert imp.lead_list.name.startswith("Year End – Import – ")
    (link,) = (
        db.session.execute(
            db.select(CampaignLeadList).where(CampaignLeadList.campaign_id == campaign.id)
        )
        .scalars()
        .all()
    )
    assert link.lead_list_id == imp.lead_list_id
    queued = (
        db.session.execute(db.select(CampaignLead).where(CampaignLead.campaign_id == campaign.id))
        .scalars()
        .all()
    )
    assert len(queued) == 2 and {c.lead_list_id for c in queued} == {imp.lead_list_id}


def test_an_import_for_a_campaign_makes_a_new_list_even_if_the_name_is_taken(
    app, db, factory, desk
):
    from datetime import date

    from webapp.models import CampaignLeadList

    workspace, admin = desk
    campaign = factory.campaign(workspace, name="Year End", status="active")
    name = f"Year End – Import – {date.today().isoformat()}"
    shared = factory.lead(workspace, email="shared@example.com")
    taken = factory.lead_list(workspace, leads=[shared], name=name)
    factory.lead_list(workspace, name=f"{name} (2)", is_archived=True)
    rows = [["Email"], ["a@example.com"], ["b@example.com"]]
    imp = run_file(app, workspace, admin, csv_bytes(rows), campaign_id=str(campaign.id))
    assert imp.lead_list_id != taken.id and imp.lead_list.name == f"{name} (3)"
    assert imp.lead_list.lead_count == 2
    db.session.refresh(taken)
    assert taken.lead_count == 1
    links = db.session.execute(
        db.select(CampaignLeadList.lead_list_id).where(CampaignLeadList.campaign_id == campaign.id)
    ).scalars()
    assert list(links) == [imp.lead_list_id]
    again = run_file(app, workspace, admin, csv_bytes(rows), list_name="Spring fair")
    third = run_file(app, workspace, admin, csv_bytes(rows), list_name="Spring fair")
    assert again.lead_list.name == "Spring fair" and third.lead_list.name == "Spring fair (2)"
    assert again.lead_list_id != third.lead_list_id


def test_reverting_a_campaign_upload_deletes_its_untouched_leads(app, db, factory, desk):
    from webapp.models import Campaign, CampaignLead, CampaignLeadList
    from webapp.services.campaigns.attempts import AttemptInput, record_attempt

    workspace, admin = desk
    campaign = factory.campaign(workspace, name="Year End", status="active")
    rows = [["Email"], ["called@example.com"], ["idle@example.com"], ["other@example.com"]]
    imp = run_file(app, workspace, admin, csv_bytes(rows), campaign_id=str(campaign.id))
    assert counts(imp)["created"] == 3
    called = db.session.execute(
        db.select(CampaignLead).join(Lead).where(Lead.email == "called@example.com")
    ).scalar_one()
    record_attempt(
        db.session, db.session.get(Campaign, campaign.id), called, admin.id,
        AttemptInput(status="contacted", outcome="Call back in May"),
    )  # fmt: skip
    db.session.commit()
    run = enqueue("imports.revert", imp.id, admin.id, workspace_id=workspace.id,
                  started_by=admin.id)  # fmt: skip
    assert run.status == "succeeded"
    assert {lead.email for lead in leads_of(workspace)} == {"called@example.com"}
    assert "2 leads deleted" in reloaded_run_message(db, run)
    remaining = db.session.execute(
        db.select(CampaignLead).where(CampaignLead.campaign_id == campaign.id)
    ).scalars()
    assert [row.id for row in remaining] == [called.id]
    link = db.session.execute(
        db.select(CampaignLeadList).where(CampaignLeadList.campaign_id == campaign.id)
    ).scalar_one()
    assert link.total_leads == 1
