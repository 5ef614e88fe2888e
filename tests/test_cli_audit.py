"""What `flask …` commands change in a workspace is in its audit log, said as such."""

from webapp.models import AuditLog, Workspace
from webapp.models.api_tokens import ApiToken


def _actions(db):
    db.session.expire_all()
    rows = db.session.execute(db.select(AuditLog).order_by(AuditLog.created_at)).scalars()
    return [(r.action, r.user_id, (r.details or {}).get("via")) for r in rows]


def test_commands_write_audit_rows(app, db, client, factory):
    runner = app.test_cli_runner()
    args = ["users", "create", "--email", "ops@example.com", "--workspace", "ops"]
    assert runner.invoke(args=[*args, "--password", "longenough", "--role", "rep"]).exit_code == 0
    assert runner.invoke(args=[*args, "--password", "longenough", "--role", "admin"]).exit_code == 0
    assert (
        runner.invoke(args=["tokens", "create", "--workspace", "ops", "--name", "Zap"]).exit_code
        == 0
    )
    token = db.session.execute(db.select(ApiToken)).scalar_one()
    revoke = ["tokens", "revoke", "--workspace", "ops", str(token.id)]
    assert runner.invoke(args=revoke).exit_code == 0
    assert (
        runner.invoke(args=["forms", "create", "--workspace", "ops", "--name", "Site"]).exit_code
        == 0
    )
    via = "command line"
    assert _actions(db) == [
        ("member.added", None, via),
        ("member.role_changed", None, via),
        ("api_token.created", None, via),
        ("api_token.revoked", None, via),
        ("form.created", None, via),
    ]
    from tests.helpers import WebClient
    from webapp.models import User

    web = WebClient(app.test_client())
    web.login(db.session.execute(db.select(User)).scalar_one(), password="longenough")
    page = web.get("/audit").get_data(as_text=True)
    assert "Someone at the command line" in page and "The system" not in page
    assert db.session.execute(db.select(Workspace)).scalar_one().slug == "ops"
