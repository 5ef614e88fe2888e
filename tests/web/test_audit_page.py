"""The audit log page: admins only, this workspace only, each row a sentence with names."""

import html as html_lib
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from tests.factories import signed_in
from webapp.extensions import db as _db
from webapp.models import AuditLog
from webapp.models.forms import CaptureForm
from webapp.models.webhooks import WebhookEndpoint
from webapp.services.audit_words import ACTIONS


def text_of(page: str) -> str:
    """What a reader sees: the page's text, tags and attributes dropped, spaces collapsed."""
    body = page[page.index("<main") :]
    body = re.sub(r"<select.*?</select>", " ", body, flags=re.S)  # the filter's options
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def sentences(page: str) -> list[str]:
    found = re.findall(r'<div class="audit-sentence">(.*?)</div>', page, re.S)
    return [" ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", s)).split()) for s in found]


def test_admin_sees_sentences_and_filters(client, db, factory):
    workspace, admin = signed_in(client, factory, name="Ada Admin")
    rep = factory.user(workspace, role="rep", name="Remy Rep")
    lead = factory.lead(workspace, full_name="Vera Viewed", email="viewed@example.com")
    db.session.add_all(
        [
            AuditLog(
                workspace_id=workspace.id,
                user_id=rep.id,
                action="leads.exported",
                object_type="lead",
                details={
                    "count": 12,
                    "filter": {"status": ["qualified"], "owner": "me"},
                    "scope": "all",
                    "columns": "visible",
                },
                created_at=datetime(2026, 3, 1, 9, tzinfo=UTC),
            ),
            AuditLog(
                workspace_id=workspace.id,
                user_id=admin.id,
                action="leads.deleted",
                object_type="lead",
                details={"count": 1, "ids": ["x"]},
                created_at=datetime(2026, 3, 5, 9, tzinfo=UTC),
            ),
        ]
    )
    other = factory.workspace()
    db.session.add(AuditLog(workspace_id=other.id, action="leads.exported", details={"count": 999}))
    db.session.commit()
    rep_client = type(client)(client.application.test_client())
    rep_client.login(rep)
    rep_client.get(f"/leads/{lead.id}")  # writes lead.viewed

    page = client.get("/audit").get_data(as_text=True)
    said = sentences(page)
    assert said == [
        "Remy Rep viewed Vera Viewed",
        "Ada Admin deleted 1 lead",
        "Remy Rep exported 12 leads to CSV",
    ]
    assert f'<a href="/leads/{lead.id}" class="audit-ref"><bdi>Vera Viewed</bdi></a>' in page
    assert f'href="/audit?user={rep.id}"' in page  # a person links to what they did
    visible = text_of(page)
    assert "Scope every matching lead" in visible and "Columns the table's columns" in visible
    assert "Filter Status: Qualified; Owner: Me" in visible
    assert "999" not in visible and "leads.exported" not in visible and "{" not in visible
    # The action filter speaks in labels; its values stay the codes the URL holds.
    assert '<option value="leads.exported" >Exported leads</option>' in page or (
        '<option value="leads.exported">Exported leads</option>' in page
    )

    by_user = sentences(client.get(f"/audit?user={rep.id}").get_data(as_text=True))
    assert by_user == ["Remy Rep viewed Vera Viewed", "Remy Rep exported 12 leads to CSV"]
    by_action = client.get("/audit?action=leads.deleted").get_data(as_text=True)
    assert "1 entry" in by_action and sentences(by_action) == ["Ada Admin deleted 1 lead"]
    by_date = client.get("/audit?from=2026-03-01&to=2026-03-02").get_data(as_text=True)
    assert "1 entry" in by_date
    assert sentences(by_date) == ["Remy Rep exported 12 leads to CSV"]


def test_reps_get_403(client, factory):
    signed_in(client, factory, role="rep")
    assert client.get("/audit").status_code == 403
    assert ">Audit</a>" not in client.get("/leads").get_data(as_text=True)


def test_a_merge_reads_with_names_and_undo(client, db, factory):
    workspace, _ = signed_in(client, factory, name="Alex Admin")
    kept = factory.lead(workspace, full_name="Jane R.", email="jane.r@example.com")
    other = factory.lead(workspace, full_name="Jane Roe", email="jane@example.com")
    response = client.post_form(
        "/duplicates/merge", {"keep_id": str(kept.id), "other_id": str(other.id)}
    )
    assert response.status_code == 302
    page = client.get("/audit").get_data(as_text=True)
    assert sentences(page)[0] == "Alex Admin merged Jane Roe into Jane R. — undo"
    undo = re.search(r'<form method="post" action="(/duplicates/merges/[^"]+/undo)"', page)
    assert undo and 'name="csrf_token"' in page
    assert client.post_form(undo.group(1)).status_code == 302
    page = client.get("/audit").get_data(as_text=True)
    said = sentences(page)
    assert said[0].startswith("Alex Admin undid the merge of Jane Roe into Jane R.")
    assert "Alex Admin merged Jane Roe into Jane R." in said  # no undo any more
    assert "— undo" not in " ".join(said)
    assert "merge_undone" not in text_of(page)


def test_deleted_objects_fall_back_to_a_readable_label(client, db, factory):
    workspace, admin = signed_in(client, factory, name="Ada Admin")
    lead = factory.lead(workspace, full_name="Kim Gone", email="kim@example.com")
    client.get(f"/leads/{lead.id}")
    client.post_form(f"/leads/{lead.id}/delete")
    db.session.add(
        AuditLog(workspace_id=workspace.id, user_id=None, action="form.deleted", object_type="form",
                 object_id="3f1c8e0e-0000-4000-8000-000000000000")
    )  # fmt: skip
    db.session.commit()
    said = sentences(client.get("/audit").get_data(as_text=True))
    assert "The system deleted the capture form a deleted capture form" in said
    assert "Ada Admin deleted \u2068Kim Gone\u2069 (deleted)" in said
    assert "Ada Admin viewed a deleted lead" in said


def _count_queries(app, fetch):
    statements = []

    def count(*args):
        statements.append(args[2])

    with app.app_context():
        engine = _db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        fetch()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_names_are_read_once_per_page_not_per_row(client, db, factory, app):
    workspace, admin = signed_in(client, factory)
    leads = [factory.lead(workspace, full_name=f"Lead {i}") for i in range(30)]

    def rows(n):
        db.session.execute(db.delete(AuditLog))
        for lead in leads[:n]:
            db.session.add(
                AuditLog(
                    workspace_id=workspace.id,
                    user_id=admin.id,
                    action="lead.viewed",
                    object_type="lead",
                    object_id=str(lead.id),
                )
            )
        db.session.commit()

    rows(2)
    few = _count_queries(app, lambda: client.get("/audit"))
    rows(30)
    many = _count_queries(app, lambda: client.get("/audit"))
    assert many == few


@pytest.fixture()
def admin_desk(client, factory):
    workspace, admin = signed_in(client, factory, name="Ada Admin")
    return workspace, admin


def _last(db):
    db.session.expire_all()
    return db.session.execute(
        db.select(AuditLog).order_by(AuditLog.created_at.desc()).limit(1)
    ).scalar_one()


def test_list_additions_are_audited(client, db, factory, admin_desk):
    workspace, admin = admin_desk
    leads = [factory.lead(workspace, full_name=f"Lead {i}") for i in range(3)]
    data = {"action": "add_to_list", "list_name": "Q4 push", "scope": "selected"}
    client.raw.post(
        "/leads/bulk",
        data={**data, "csrf_token": client.csrf_token(), "lead_id": [str(x.id) for x in leads]},
    )
    row = _last(db)
    assert (row.action, row.object_type, row.details["count"]) == ("list.members_added", "list", 3)
    said = sentences(client.get("/audit").get_data(as_text=True))
    assert said[0] == "Ada Admin added 3 leads to the list Q4 push"
    # Adding the same leads again adds nobody, and writes nothing.
    client.raw.post(
        "/leads/bulk",
        data={**data, "csrf_token": client.csrf_token(), "lead_id": [str(x.id) for x in leads]},
    )
    assert (
        db.session.execute(
            db.select(db.func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "list.members_added")
        ).scalar_one()
        == 1
    )


def test_member_and_role_changes_are_audited(client, db, factory, admin_desk):
    workspace, _ = admin_desk
    add = {"email": "new@example.com", "name": "Nia New", "role": "rep", "password": "longenough"}
    client.post_form("/settings/members", add)
    assert _last(db).action == "member.added"
    client.post_form("/settings/members", {**add, "role": "admin"})
    row = _last(db)
    assert row.action == "member.role_changed" and row.details["old_role"] == "rep"
    from webapp.models import Membership, User

    user = db.session.execute(db.select(User).where(User.email == "new@example.com")).scalar_one()
    membership = db.session.execute(
        db.select(Membership).where(Membership.user_id == user.id)
    ).scalar_one()
    client.post_form(f"/settings/members/{membership.id}/active", {"active": "0"})
    assert _last(db).action == "member.deactivated"
    client.post_form(f"/settings/members/{membership.id}/active", {"active": "1"})
    assert _last(db).action == "member.reactivated"
    said = sentences(client.get("/audit").get_data(as_text=True))
    assert said[:4] == [
        "Ada Admin reactivated Nia New",
        "Ada Admin deactivated Nia New",
        "Ada Admin changed the role of Nia New from a rep to an admin",
        "Ada Admin added Nia New to the workspace as a rep",
    ]


def test_token_form_and_webhook_changes_are_audited(client, db, factory, admin_desk, app):
    workspace, _ = admin_desk
    client.post_form("/settings/tokens", {"name": "Zapier"})
    client.post_form("/settings/forms", {"name": "Pricing page", "rate_limit_per_hour": "25"})
    form = db.session.execute(db.select(CaptureForm)).scalar_one()
    client.post_form(f"/settings/forms/{form.id}", {"name": "Pricing", "rate_limit_per_hour": "5"})
    client.post_form(f"/settings/forms/{form.id}/active", {"active": "0"})
    endpoint = WebhookEndpoint(
        workspace_id=workspace.id, url="http://127.0.0.1:9/a", event_types=["LeadCreated"]
    )
    db.session.add(endpoint)
    db.session.commit()
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    try:
        client.post_form(
            f"/settings/webhooks/{endpoint.id}",
            {"url": "http://127.0.0.1:9/b", "event_types": ["LeadCreated"]},
        )
    finally:
        app.config["WEBHOOKS_ALLOW_PRIVATE"] = False
    client.post_form(f"/settings/webhooks/{endpoint.id}/active", {"active": "0"})
    client.post_form(f"/settings/forms/{form.id}/delete")
    page = client.get("/audit").get_data(as_text=True)
    said = sentences(page)
    assert said[:6] == [
        "Ada Admin deleted the capture form \u2068Pricing\u2069 (deleted)",
        "Ada Admin disabled the webhook endpoint http://127.0.0.1:9/b",
        "Ada Admin changed the webhook endpoint http://127.0.0.1:9/b",
        "Ada Admin switched off the capture form \u2068Pricing\u2069 (deleted)",
        "Ada Admin changed the capture form \u2068Pricing\u2069 (deleted)",
        "Ada Admin created the capture form \u2068Pricing page\u2069 (deleted)",  # its name then
    ]
    assert said[6].startswith("Ada Admin created the API token Zapier (")
    visible = text_of(page)
    assert "Changed Name, Rate limit per hour" in visible and "Changed URL" in visible


def test_every_known_action_has_a_label_and_a_sentence():
    for code, (label, template) in ACTIONS.items():
        assert label and label[0].isupper() and "." not in label, code
        assert template and "_" not in template.replace("{old_role}", ""), code
