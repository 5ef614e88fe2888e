"""The audit log page: admins only, this workspace only, filters in the URL."""

from datetime import UTC, datetime

from tests.factories import signed_in
from webapp.models import AuditLog


def test_admin_sees_rows_and_filters(client, db, factory):
    workspace, admin = signed_in(client, factory, name="Ada Admin")
    rep = factory.user(workspace, role="rep", name="Remy Rep")
    lead = factory.lead(workspace, email="viewed@example.com")
    db.session.add_all(
        [
            AuditLog(
                workspace_id=workspace.id,
                user_id=rep.id,
                action="leads.exported",
                details={"count": 12},
                created_at=datetime(2026, 3, 1, 9, tzinfo=UTC),
            ),
            AuditLog(
                workspace_id=workspace.id,
                user_id=admin.id,
                action="leads.deleted",
                details={"count": 1},
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
    assert "leads.exported" in page and "leads.deleted" in page and "lead.viewed" in page
    assert "999" not in page
    assert f"/leads/{lead.id}" in page
    by_user = client.get(f"/audit?user={rep.id}").get_data(as_text=True)
    assert "<td>leads.deleted</td>" not in by_user and "<td>leads.exported</td>" in by_user
    by_action = client.get("/audit?action=leads.deleted").get_data(as_text=True)
    assert "1 entry" in by_action
    by_date = client.get("/audit?from=2026-03-01&to=2026-03-02").get_data(as_text=True)
    assert "1 entry" in by_date and "<td>leads.exported</td>" in by_date


def test_reps_get_403(client, factory):
    signed_in(client, factory, role="rep")
    assert client.get("/audit").status_code == 403
    assert ">Audit</a>" not in client.get("/leads").get_data(as_text=True)
