"""`flask forms create` prints a working public key."""

from webapp.models.forms import CaptureForm


def test_forms_create_prints_a_key(app, db, factory):
    factory.workspace(slug="acme")
    result = app.test_cli_runner().invoke(
        args=[
            "forms",
            "create",
            "--workspace",
            "acme",
            "--name",
            "Website",
            "--rate-limit",
            "25/hour",
            "--origin",
            "https://www.acme.example",
        ]
    )
    assert result.exit_code == 0, result.output
    key = result.output.strip()
    form = db.session.execute(db.select(CaptureForm)).scalar_one()
    assert form.public_key == key and form.rate_limit_per_hour == 25
    assert form.allowed_origins == ["https://www.acme.example"]
    client = app.test_client()
    response = client.post(
        "/api/v1/leads",
        json={"name": "Cli Person", "email": "cli@example.com"},
        headers={"X-Form-Key": key},
    )
    assert response.status_code == 201


def test_forms_create_unknown_workspace_and_bad_limit(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["forms", "create", "--workspace", "nope", "--name", "X"])
    assert result.exit_code != 0 and "No workspace 'nope'" in result.output
    result = runner.invoke(
        args=["forms", "create", "--workspace", "nope", "--name", "X", "--rate-limit", "lots"]
    )
    assert result.exit_code != 0


def test_forms_create_refuses_a_zero_limit(app, db, factory):
    factory.workspace(slug="acme")
    result = app.test_cli_runner().invoke(
        args=["forms", "create", "--workspace", "acme", "--name", "X", "--rate-limit", "0/hour"]
    )
    assert result.exit_code != 0
    assert "rate_limit_per_hour" in result.output and "from 1 to 100000" in result.output
    assert db.session.execute(db.select(CaptureForm)).first() is None
