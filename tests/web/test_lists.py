"""Lists (issue 15): the Lists page, a list's page, static and dynamic members, My Leads'
list filter and saved views, set-based member changes, roles and workspace isolation."""

from __future__ import annotations

import re
import uuid

import pytest

import webapp.jobs.leads as lead_jobs
from tests.factories import signed_in
from tests.helpers import activities
from webapp.models import AuditLog, JobRun, Lead, LeadList, LeadListMember


@pytest.fixture()
def desk(client, factory):
    workspace, admin = signed_in(client, factory, name="Alex Admin")
    leads = [
        factory.lead(
            workspace,
            full_name=f"Person {n}",
            email=f"p{n}@example.com",
            source="website" if n < 3 else "referral",
        )
        for n in range(5)
    ]
    return workspace, admin, leads


def ids(leads) -> list[str]:
    return [str(lead.id) for lead in leads]


def member_ids_of(db, lead_list) -> set:
    db.session.expire_all()
    return set(
        db.session.execute(
            db.select(LeadListMember.lead_id).where(LeadListMember.lead_list_id == lead_list.id)
        ).scalars()
    )


def audit_actions(db) -> list[str]:
    db.session.expire_all()
    return [
        row.action
        for row in db.session.execute(db.select(AuditLog).order_by(AuditLog.created_at)).scalars()
    ]


def shown_names(page: str) -> list[str]:
    """The member names of a list page's table, in order."""
    body = page[page.index('aria-label="Members"') :]
    return re.findall(r'<tr id="member-[^"]+">.*?hx-boost="false">([^<]+)</a>', body, re.S)


# -- the Lists page ----------------------------------------------------------------


def test_create_rename_describe_tag_and_search(client, db, desk, factory):
    workspace, admin, _ = desk
    response = client.post_form(
        "/lists", {"name": "Major donors", "description": "Top givers", "tags": "VIP, events"}
    )
    lead_list = db.session.execute(db.select(LeadList)).scalar_one()
    assert response.headers["Location"] == f"/lists/{lead_list.id}"
    assert (lead_list.list_type, lead_list.tags, lead_list.created_by_id) == (
        "static",
        ["vip", "events"],
        admin.id,
    )
    client.post_form(
        f"/lists/{lead_list.id}/edit",
        {"name": "Big donors", "description": "The biggest", "tags": "vip"},
    )
    db.session.expire_all()
    assert (lead_list.name, lead_list.description, lead_list.tags) == (
        "Big donors",
        "The biggest",
        ["vip"],
    )
    factory.lead_list(workspace, name="Newsletter")
    page = client.get("/lists").get_data(as_text=True)
    assert "Big donors" in page and "Newsletter" in page and "Alex Admin" in page
    found = client.get("/lists?q=bigg").get_data(as_text=True)
    assert "Big donors" in found and "Newsletter" not in found
    assert {"list.created", "list.updated"} <= set(audit_actions(db))


def test_a_name_is_needed_and_once_per_workspace(client, db, desk, factory):
    workspace, _, _ = desk
    factory.lead_list(workspace, name="Taken")
    page = client.post_form("/lists", {"name": "Taken"}, follow_redirects=True)
    assert "another list already has this name" in page.get_data(as_text=True)
    page = client.post_form("/lists", {"name": "  "}, follow_redirects=True)
    assert "give the list a name" in page.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count()).select_from(LeadList)).scalar() == 1


def test_counts_types_and_campaigns_on_the_lists_page(client, db, desk, factory):
    workspace, admin, leads = desk
    static = factory.lead_list(workspace, name="Static one", leads=leads[:2])
    factory.lead_list(
        workspace,
        name="Referrals",
        list_type="dynamic",
        criteria={"source": ["referral"]},
        created_by_id=admin.id,
    )
    for name in ("Spring", "Fall"):
        factory.campaign_list(factory.campaign(workspace, name=name), static)
    page = client.get("/lists").get_data(as_text=True)
    static_row = page[page.index(f'id="list-{static.id}"') :]
    static_row = static_row[: static_row.index("</tr>")]
    assert re.findall(r'class="num">(\d+)<', static_row) == ["2", "2"]  # members, campaigns
    dynamic_row = page[page.index("Referrals") :]
    assert re.findall(r'class="num">(\d+)<', dynamic_row[: dynamic_row.index("</tr>")]) == [
        "2",
        "0",
    ]
    list_page = client.get(f"/lists/{static.id}").get_data(as_text=True)
    assert "Spring" in list_page and "Fall" in list_page and "priority 1" in list_page


def test_archive_unarchive_and_delete_keep_the_leads(client, db, desk, factory):
    workspace, _, leads = desk
    lead_list = factory.lead_list(workspace, name="Old", leads=leads)
    row = f'id="list-{lead_list.id}"'
    client.post_form(f"/lists/{lead_list.id}/archive", {"archived": "1"})
    assert row not in client.get("/lists").get_data(as_text=True)
    assert row in client.get("/lists?archived=1").get_data(as_text=True)
    client.post_form(f"/lists/{lead_list.id}/archive", {"archived": "0"})
    assert row in client.get("/lists").get_data(as_text=True)
    response = client.post_form(f"/lists/{lead_list.id}/delete")
    assert response.headers["Location"] == "/lists"
    db.session.expire_all()
    assert db.session.get(LeadList, lead_list.id) is None
    assert db.session.execute(db.select(db.func.count()).select_from(LeadListMember)).scalar() == 0
    assert db.session.execute(db.select(db.func.count()).select_from(Lead)).scalar() == 5
    assert {"list.archived", "list.unarchived", "list.deleted"} <= set(audit_actions(db))


def test_reps_cannot_archive_or_delete(client, db, factory):
    workspace, _ = signed_in(client, factory, role="rep")
    lead_list = factory.lead_list(workspace, name="Keep")
    assert client.post_form(f"/lists/{lead_list.id}/archive").status_code == 403
    assert client.post_form(f"/lists/{lead_list.id}/delete").status_code == 403
    page = client.get(f"/lists/{lead_list.id}").get_data(as_text=True)
    assert "Archive</button>" not in page and "Delete</button>" not in page
    # Reps do make and change lists.
    assert client.post_form("/lists", {"name": "Mine"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(LeadList, lead_list.id).is_archived is False


# -- static members ------------------------------------------------------------------


def test_adding_twice_is_a_no_op_and_records_who_and_when(client, db, desk):
    workspace, admin, leads = desk
    client.post_form(
        "/leads/bulk", {"action": "add_to_list", "list_name": "Calls", "lead_id": ids(leads[:2])}
    )
    lead_list = db.session.execute(db.select(LeadList)).scalar_one()
    client.post_form(
        "/leads/bulk",
        {"action": "add_to_list", "list_id": str(lead_list.id), "lead_id": ids(leads[:3])},
    )
    assert member_ids_of(db, lead_list) == {lead.id for lead in leads[:3]}
    assert db.session.get(LeadList, lead_list.id).lead_count == 3
    assert len(activities(db, leads[0], "updated")) == 1  # joined once, one entry
    page = client.get(f"/lists/{lead_list.id}").get_data(as_text=True)
    assert "3 members" in page and page.count("Alex Admin") >= 3


def test_a_lead_of_another_workspace_is_never_added(client, db, desk, factory):
    workspace, _, leads = desk
    stranger = factory.lead(factory.workspace(), email="stranger@example.com")
    client.post_form(
        "/leads/bulk",
        {"action": "add_to_list", "list_name": "Mixed", "lead_id": ids([leads[0], stranger])},
    )
    lead_list = db.session.execute(db.select(LeadList)).scalar_one()
    assert member_ids_of(db, lead_list) == {leads[0].id}


def test_add_all_matching_in_the_request(client, db, desk):
    _, _, leads = desk
    client.post_form(
        "/leads/bulk?source=referral",
        {"action": "add_to_list", "list_name": "Referred", "scope": "all"},
    )
    lead_list = db.session.execute(db.select(LeadList)).scalar_one()
    assert member_ids_of(db, lead_list) == {lead.id for lead in leads[3:]}
    (audit,) = [
        r for r in db.session.execute(db.select(AuditLog)).scalars() if r.action.endswith("added")
    ]
    assert audit.details["count"] == 2


def test_add_all_matching_above_the_threshold_is_a_job(client, db, desk, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)  # inline: the job runs in the request
    monkeypatch.setitem(app.config, "BULK_JOB_THRESHOLD", 3)
    monkeypatch.setattr(lead_jobs, "BATCH", 2)
    _, _, leads = desk
    response = client.post_form(
        "/leads/bulk", {"action": "add_to_list", "list_name": "Everyone", "scope": "all"}
    )
    (run,) = db.session.execute(db.select(JobRun)).scalars().all()
    assert response.headers["Location"] == f"/leads?run={run.id}"
    assert (run.status, run.progress_done, run.counts["changed"]) == ("succeeded", 5, 5)
    lead_list = db.session.execute(db.select(LeadList)).scalar_one()
    assert member_ids_of(db, lead_list) == {lead.id for lead in leads}
    assert db.session.get(LeadList, lead_list.id).lead_count == 5


def test_bulk_remove_move_and_copy_on_the_list_page(client, db, desk, factory):
    workspace, _, leads = desk
    source = factory.lead_list(workspace, name="Source", leads=leads)
    target = factory.lead_list(workspace, name="Target", leads=leads[:1])
    url = f"/lists/{source.id}/members"
    client.post_form(
        url, {"action": "copy", "target_id": str(target.id), "lead_id": ids(leads[:2])}
    )
    assert member_ids_of(db, target) == {leads[0].id, leads[1].id}
    assert member_ids_of(db, source) == {lead.id for lead in leads}
    client.post_form(
        url, {"action": "move", "target_id": str(target.id), "lead_id": ids(leads[2:3])}
    )
    assert member_ids_of(db, target) == {lead.id for lead in leads[:3]}
    assert member_ids_of(db, source) == {lead.id for lead in leads if lead is not leads[2]}
    client.post_form(url, {"action": "remove", "lead_id": ids(leads[:1])})
    assert member_ids_of(db, source) == {leads[1].id, leads[3].id, leads[4].id}
    # All matching the page's filter, into a new list named in the form.
    client.post_form(
        f"{url}?source=referral", {"action": "copy", "target_name": "Referred", "scope": "all"}
    )
    made = db.session.execute(db.select(LeadList).where(LeadList.name == "Referred")).scalar_one()
    assert member_ids_of(db, made) == {leads[3].id, leads[4].id}
    db.session.expire_all()
    counts = {x.name: x.lead_count for x in db.session.execute(db.select(LeadList)).scalars()}
    assert counts == {"Source": 3, "Target": 3, "Referred": 2}
    # Joining a list is on the lead's timeline (once: leads[0] was in Target already).
    assert [a.description for a in activities(db, leads[2], "updated")] == ["Added to list Target"]
    assert activities(db, leads[0], "updated") == []
    assert {"list.members_copied", "list.members_moved", "list.members_removed"} <= set(
        audit_actions(db)
    )


def test_members_page_searches_filters_sorts_and_counts_exactly(client, db, desk, factory):
    workspace, _, leads = desk
    lead_list = factory.lead_list(workspace, name="All five", leads=leads)
    page = client.get(f"/lists/{lead_list.id}?sort=name&direction=asc").get_data(as_text=True)
    assert "5 members" in page
    assert shown_names(page) == [f"Person {n}" for n in range(5)]
    assert f'href="/imports/new?list={lead_list.id}"' in page  # a file can be imported into it
    page = client.get(f"/lists/{lead_list.id}?source=referral&sort=name&direction=desc")
    assert shown_names(page.get_data(as_text=True)) == ["Person 4", "Person 3"]
    page = client.get(f"/lists/{lead_list.id}?q=person+2").get_data(as_text=True)
    assert shown_names(page) == ["Person 2"] and "1 member matches" in page
    fragment = client.htmx("get", f"/lists/{lead_list.id}?q=person+1").get_data(as_text=True)
    assert "<html" not in fragment and shown_names(fragment) == ["Person 1"]
    # The column picker keeps its choice per user.
    client.htmx("post", f"/lists/{lead_list.id}/columns", data={"columns": ["name", "note"]})
    page = client.get(f"/lists/{lead_list.id}").get_data(as_text=True)
    assert ">Note<" in page and ">Email<" not in page


def test_member_notes_are_edited_in_place(client, db, desk, factory):
    workspace, _, leads = desk
    lead_list = factory.lead_list(workspace, name="Noted", leads=leads[:1])
    url = f"/lists/{lead_list.id}/members/{leads[0].id}/note"
    editor = client.htmx("get", f"{url}?edit=1").get_data(as_text=True)
    assert 'name="note"' in editor
    saved = client.htmx("post", url, data={"note": "Call after <5pm>"})
    assert saved.status_code == 200 and "Call after &lt;5pm&gt;" in saved.get_data(as_text=True)
    db.session.expire_all()
    member = db.session.execute(db.select(LeadListMember)).scalar_one()
    assert member.notes == "Call after <5pm>"
    refused = client.htmx("post", url, data={"note": "x" * 2001})
    assert refused.status_code == 422 and "at most 2,000" in refused.get_data(as_text=True)
    stranger = factory.lead(workspace, email="notamember@example.com")
    assert client.htmx("get", f"/lists/{lead_list.id}/members/{stranger.id}/note").status_code == (
        404
    )


# -- dynamic lists ---------------------------------------------------------------------


def test_save_this_view_as_a_list_is_dynamic_and_always_current(client, db, desk, factory):
    workspace, _, leads = desk
    response = client.post_form("/lists/from-view?source=referral", {"name": "Referrals"})
    lead_list = db.session.execute(db.select(LeadList)).scalar_one()
    assert response.headers["Location"] == f"/lists/{lead_list.id}"
    assert (lead_list.list_type, lead_list.criteria) == ("dynamic", {"source": ["referral"]})
    page = client.get(f"/lists/{lead_list.id}").get_data(as_text=True)
    assert "2 members" in page and "Source: <bdi>Referral</bdi>" in page
    assert "/leads?source=referral&amp;owner=any" in page and "Freeze</button>" in page
    factory.lead(workspace, full_name="Late Comer", email="late@example.com", source="referral")
    page = client.get(f"/lists/{lead_list.id}").get_data(as_text=True)
    assert "3 members" in page and "Late Comer" in page
    assert "3" in re.findall(r'class="num">(\d+)<', client.get("/lists").get_data(as_text=True))


def test_save_this_view_refuses_filter_values_it_would_drop(client, db, desk):
    response = client.post_form("/lists/from-view?status=bogus&score_min=abc", {"name": "Odd"})
    assert response.status_code == 302 and db.session.execute(db.select(LeadList)).all() == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing changed. Status: must be one of new," in page
    assert "Score min: must be a whole number from 0 to 100." in page
    # Empty values are the filter bar's "any": the list is every lead, as asked.
    client.post_form("/lists/from-view?status=&score_min=", {"name": "All"})
    assert db.session.execute(db.select(LeadList.criteria)).scalar_one() == {}


def test_me_in_saved_criteria_is_whoever_saved_the_list(client, db, factory):
    workspace, rep = signed_in(client, factory, role="rep")
    other = factory.user(workspace, role="rep")
    mine = factory.lead(workspace, full_name="Mine", assigned_to_id=rep.id)
    factory.lead(workspace, full_name="Theirs", assigned_to_id=other.id)
    client.post_form("/lists/from-view", {"name": "My book"})  # a rep opens on owner=me
    lead_list = db.session.execute(db.select(LeadList)).scalar_one()
    assert lead_list.criteria == {"owner": "me"}
    client.login(other)
    page = client.get(f"/lists/{lead_list.id}").get_data(as_text=True)
    assert shown_names(page) == ["Mine"]
    assert f"owner={rep.id}" in page  # "Open in My Leads" shows the saver's leads
    assert mine.id


def test_an_owner_in_criteria_is_named_only_when_a_member_here(client, db, desk, factory):
    workspace, admin, _ = desk
    colleague = factory.user(workspace, role="rep", name="Cora Colleague")
    outsider = factory.user(factory.workspace(name="Elsewhere"), name="Otto Outsider")
    lead_list = factory.lead_list(
        workspace,
        name="Two owners",
        list_type="dynamic",
        criteria={"owner": [str(colleague.id), str(outsider.id)]},
        created_by_id=admin.id,
    )
    page = client.get(f"/lists/{lead_list.id}").get_data(as_text=True)
    assert "Cora Colleague" in page
    assert "Otto Outsider" not in page and "someone no longer here" in page


def test_freeze_makes_a_static_copy(client, db, desk, factory):
    workspace, admin, leads = desk
    dynamic = factory.lead_list(
        workspace,
        name="Web",
        list_type="dynamic",
        criteria={"source": ["website"]},
        created_by_id=admin.id,
    )
    response = client.post_form(f"/lists/{dynamic.id}/freeze")
    frozen = db.session.execute(
        db.select(LeadList).where(LeadList.list_type == "static")
    ).scalar_one()
    assert response.headers["Location"] == f"/lists/{frozen.id}"
    assert member_ids_of(db, frozen) == {lead.id for lead in leads[:3]}
    assert frozen.lead_count == 3 and frozen.name == "Web (frozen)"
    factory.lead(workspace, email="later@example.com", source="website")
    assert len(member_ids_of(db, frozen)) == 3  # frozen: stays as it was
    # A dynamic list takes no explicit members.
    page = client.post_form(
        f"/lists/{dynamic.id}/members", {"action": "remove", "lead_id": ids(leads[:1])}
    )
    assert page.status_code == 302
    assert client.post_form(f"/lists/{frozen.id}/freeze", follow_redirects=True).status_code == 200


# -- My Leads' list filter ------------------------------------------------------------


def test_my_leads_list_filter_with_a_chip(client, db, desk, factory):
    workspace, admin, leads = desk
    static = factory.lead_list(workspace, name="Picked", leads=leads[1:3])
    page = client.get(f"/leads?list={static.id}").get_data(as_text=True)
    assert "2 leads match" in page and "List: <bdi>Picked</bdi>" in page
    assert "Person 1" in page and "Person 0" not in page
    dynamic = factory.lead_list(
        workspace,
        name="Refs",
        list_type="dynamic",
        criteria={"source": ["referral"]},
        created_by_id=admin.id,
    )
    page = client.get(f"/leads?list={dynamic.id}").get_data(as_text=True)
    assert "2 leads match" in page and "Person 4" in page and "Person 1" not in page
    # Unknown and other workspaces' lists are ignored (all five leads).
    foreign = factory.lead_list(factory.workspace(), name="Theirs")
    for list_id in (foreign.id, uuid.uuid4(), "nonsense"):
        page = client.get(f"/leads?list={list_id}").get_data(as_text=True)
        assert "5 leads." in page and "Theirs" not in page, list_id


def test_a_dynamic_list_of_itself_is_empty_not_endless(client, db, desk, factory):
    workspace, admin, _ = desk
    lead_list = factory.lead_list(workspace, name="Loop", list_type="dynamic", criteria={})
    lead_list.criteria = {"list": str(lead_list.id)}
    db.session.commit()
    assert "0 members" in client.get(f"/lists/{lead_list.id}").get_data(as_text=True)


# -- isolation and CSRF ----------------------------------------------------------------


def test_another_workspaces_list_is_404_everywhere(client, db, desk, factory):
    _, _, leads = desk
    other_workspace = factory.workspace()
    theirs = factory.lead_list(
        other_workspace, name="Theirs", leads=[factory.lead(other_workspace, email="t@x.io")]
    )
    member = db.session.execute(db.select(LeadListMember)).scalar_one()
    base = f"/lists/{theirs.id}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/members/{member.lead_id}/note").status_code == 404
    for url, data in (
        (f"{base}/edit", {"name": "Mine now"}),
        (f"{base}/archive", {}),
        (f"{base}/delete", {}),
        (f"{base}/freeze", {}),
        (f"{base}/columns", {"columns": ["name"]}),
        (f"{base}/members", {"action": "remove", "scope": "all"}),
        (f"{base}/members/{member.lead_id}/note", {"note": "hi"}),
    ):
        assert client.post_form(url, data).status_code == 404, url
    # Nor can it be a copy's target.
    mine = factory.lead_list(desk[0], name="Mine", leads=leads[:1])
    client.post_form(
        f"/lists/{mine.id}/members",
        {"action": "copy", "target_id": str(theirs.id), "scope": "all"},
    )
    assert member_ids_of(db, theirs) == {member.lead_id}
    db.session.expire_all()
    assert db.session.get(LeadList, theirs.id).name == "Theirs"


def test_a_post_without_its_csrf_token_is_refused(client, db, desk):
    response = client.raw.post("/lists", data={"name": "Sneaky"})
    assert response.status_code == 400
    assert db.session.execute(db.select(LeadList)).first() is None


def test_the_lead_page_shows_its_lists_static_and_dynamic(client, db, desk, factory):
    workspace, admin, leads = desk
    static = factory.lead_list(workspace, name="Shown here", leads=leads[:1])
    factory.lead_list(workspace, name="Not a member", leads=leads[1:2])
    for name, source in (("Web dynamic", "website"), ("Referral dynamic", "referral")):
        factory.lead_list(
            workspace,
            name=name,
            list_type="dynamic",
            criteria={"source": [source]},
            created_by_id=admin.id,
        )
    page = client.get(f"/leads/{leads[0].id}").get_data(as_text=True)
    panel = page[page.index('id="lead-memberships"') :]
    panel = panel[: panel.index("</article>")]
    assert f'href="/lists/{static.id}"' in panel and "Web dynamic" in panel
    assert "Not a member" not in panel and "Referral dynamic" not in panel
