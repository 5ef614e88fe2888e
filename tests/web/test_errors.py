"""Error pages: HTML for browsers, JSON for API clients, no stack traces."""

import pytest
from flask import abort
from sqlalchemy.exc import DataError


def test_404_page_for_browsers(client):
    response = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "text/html" in response.content_type
    assert "Not found" in response.get_data(as_text=True)


def test_404_json_for_api_clients(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_413_for_oversized_bodies(client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post_form("/login", {"email": "x" * (limit + 10), "password": "x"})
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)


def test_403_page_for_reps(client, factory):
    workspace = factory.workspace()
    client.login(factory.user(workspace, role="rep"))
    response = client.post_form("/settings/members", {"email": "a@example.com"})
    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)


@pytest.fixture()
def failing_app(make_app, monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    app = make_app({"TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    @app.get("/teapot-400")
    def bad():
        abort(400)

    @app.get("/unstorable")
    def unstorable():
        # What the driver raises for a value PostgreSQL cannot hold (a NUL, say).
        raise DataError("SELECT %(v)s", {"v": "a"}, ValueError("cannot take 'hunter2'"))

    return app


def test_500_has_no_stack_trace(failing_app):
    response = failing_app.test_client().get("/boom", headers={"Accept": "text/html"})
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Something went wrong" in text
    assert "Traceback" not in text and "hunter2" not in text


def test_500_json_for_api(failing_app):
    response = failing_app.test_client().get("/boom", headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert response.get_json()["status"] == 500


def test_a_value_the_database_cannot_take_is_a_400_that_quotes_nothing(failing_app, caplog):
    response = failing_app.test_client().get("/unstorable", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "cannot be stored" in response.get_json()["message"]
    assert "hunter2" not in response.get_data(as_text=True) and "hunter2" not in caplog.text


def test_400_page(failing_app):
    response = failing_app.test_client().get("/teapot-400")
    assert response.status_code == 400
    assert "Bad request" in response.get_data(as_text=True)


def test_429_page_has_retry_after(client, app, factory):
    workspace = factory.workspace()
    user = factory.user(workspace)
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _ in range(limit):
        client.post_form("/login", {"email": user.email, "password": "wrong"})
    response = client.post_form("/login", {"email": user.email, "password": "wrong"})
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0


def test_403_page_speaks_our_words_not_the_frameworks(client, factory):
    workspace = factory.workspace()
    client.login(factory.user(workspace, role="rep"))
    response = client.get("/audit")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "does not allow this" in page and "Ask a workspace admin" in page
    assert "permission to access the requested resource" not in page
    assert 'class="sidebar"' in page  # the app's own page, in its shell


def test_an_error_with_its_own_message_keeps_it(client, factory):
    workspace = factory.workspace()
    client.login(factory.user(workspace, role="rep"))
    page = client.get("/leads/export.csv?scope=all").get_data(as_text=True)
    assert "Only admins export more than the current page." in page
