"""`flask users create` and `flask demo load`."""

from webapp.models import Lead, Membership, User, Workspace


def test_users_create_makes_workspace_and_admin(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Boss@Example.com",
            "--password",
            "longenough1",
            "--workspace",
            "acme",
            "--role",
            "admin",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "boss@example.com is an admin of workspace 'acme'" in result.output
    workspace = db.session.execute(
        db.select(Workspace).where(Workspace.slug == "acme")
    ).scalar_one()
    membership = db.session.execute(db.select(Membership)).scalar_one()
    assert membership.workspace_id == workspace.id and membership.role == "admin"


def test_users_create_asks_for_the_password(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "--email", "rep@example.com", "--workspace", "acme"],
        input="typed-secret-1\ntyped-secret-1\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.execute(db.select(User)).scalar_one()
    assert user.check_password("typed-secret-1")


def test_users_create_reports_bad_input(app, db):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "bad",
            "--password",
            "longenough1",
            "--workspace",
            "acme",
        ]
    )
    assert result.exit_code != 0
    assert "email" in result.output


def test_demo_load_is_varied_and_repeatable(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load", "--leads", "120"])
    assert result.exit_code == 0, result.output
    assert "admin@demo.example.com" in result.output
    assert "Demo capture form: http://127.0.0.1:5000/f/pk_" in result.output
    leads = db.session.execute(db.select(Lead)).scalars().all()
    assert len(leads) >= 115
    assert len({lead.status for lead in leads}) >= 5
    assert len({lead.source for lead in leads}) >= 5
    assert {lead.type for lead in leads} == {"person", "company"}
    assert any(lead.assigned_to_id for lead in leads) and any(
        not lead.assigned_to_id for lead in leads
    )
    again = runner.invoke(args=["demo", "load", "--leads", "120"])
    assert again.exit_code == 0
    assert db.session.execute(db.select(db.func.count()).select_from(Lead)).scalar_one() == len(
        leads
    )
    roles = {m.role for m in db.session.execute(db.select(Membership)).scalars()}
    assert roles == {"admin", "rep"}
    # Two static lists with members and a dynamic one, made once.
    from webapp.models import LeadList

    lists = db.session.execute(db.select(LeadList).order_by(LeadList.name)).scalars().all()
    assert [(x.name, x.list_type) for x in lists] == [
        ("Event attendees", "static"),
        ("Hot leads", "dynamic"),
        ("Major prospects", "static"),
    ]
    assert lists[2].lead_count == 40 and lists[0].lead_count > 0
