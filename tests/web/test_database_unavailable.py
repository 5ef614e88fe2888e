"""A database that is out answers a short 503 of ours; a dead connection never escapes Flask.

These run on both backends, with the failures raised by hand; tests/faults/ cuts a real
PostgreSQL under gunicorn.
"""

import threading

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError, PendingRollbackError

from webapp import db_outage
from webapp.db_outage import RETRY_AFTER_SECONDS, is_database_outage
from webapp.extensions import db as _db


def lost_connection() -> OperationalError:
    return OperationalError(
        "SELECT 1", {"email": "hunter2@example.com"}, Exception("server closed")
    )


@pytest.fixture()
def outage_app(make_app, monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    app = make_app({"TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    @app.get("/dead")
    def dead():
        raise lost_connection()

    @app.get("/api/v1/dead")
    def dead_api():
        raise lost_connection()

    @app.get("/driver-dead")
    def driver_dead():  # the raw-SQL insert's errors come from the driver, unwrapped
        raise psycopg.OperationalError("the connection is lost")

    @app.get("/used-after-death")
    def used_after_death():
        try:
            raise lost_connection()
        except OperationalError:  # as Flask-Limiter does: it retries in its except clause
            raise PendingRollbackError("Can't reconnect until rolled back")  # noqa: B904

    @app.get("/duplicate")
    def duplicate():
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    @app.get("/fine")
    def fine():
        _db.session.execute(text("SELECT 1"))
        return "fine"

    return app


def check_ours(response) -> str:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "Content-Security-Policy" in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "hunter2" not in body and "SELECT" not in body
    return body


def test_a_page_is_a_short_503_page(outage_app):
    response = outage_app.test_client().get("/dead", headers={"Accept": "text/html"})
    body = check_ours(response)
    assert response.content_type.startswith("text/html")
    assert ">503<" in body and "Unavailable" in body and "database is unavailable" in body


@pytest.mark.parametrize("path", ["/api/v1/dead", "/driver-dead", "/used-after-death"])
def test_the_api_is_a_json_503_with_message_and_no_field_errors(outage_app, path):
    response = outage_app.test_client().get(path, headers={"Accept": "application/json"})
    check_ours(response)
    body = response.get_json()
    assert body["errors"] == {} and body["status"] == 503  # the one API error shape
    assert "database is unavailable" in body["message"]


def test_the_outage_is_logged_without_a_traceback_or_parameters(outage_app, caplog, monkeypatch):
    monkeypatch.setattr(db_outage, "outage_log", db_outage.OutageLog(every_seconds=60))
    client = outage_app.test_client()
    for _ in range(3):
        client.get("/dead")
    lines = [r for r in caplog.records if "database unavailable" in r.getMessage()]
    assert len(lines) == 1 and lines[0].exc_info is None  # the next two wait for the count
    assert "GET /dead" in lines[0].getMessage() and "server closed" in lines[0].getMessage()
    assert "hunter2" not in caplog.text

    monkeypatch.setattr(db_outage.outage_log, "every_seconds", 0)
    client.get("/dead")
    # The outage's own line (the app's background thread may log its failure after it).
    lines = [r.getMessage() for r in caplog.records if "database unavailable" in r.getMessage()]
    assert "(and 2 more since the last report)" in lines[-1]


def test_other_database_errors_stay_500(outage_app):
    response = outage_app.test_client().get("/duplicate", headers={"Accept": "application/json"})
    assert response.status_code == 500 and "Retry-After" not in response.headers


def test_a_dead_connection_at_teardown_does_not_escape(outage_app, monkeypatch):
    """The session removal that ends every request raises on a dead connection: the
    answer already made stands, and the session is discarded instead."""
    from webapp.extensions import db

    calls = []
    remove = db.session.remove

    def dies_once():
        if threading.current_thread() is not threading.main_thread():
            return remove()  # the app's background thread, not the request
        calls.append("remove")
        if len(calls) == 1:
            raise lost_connection()
        remove()

    monkeypatch.setattr(db.session, "remove", dies_once)
    response = outage_app.test_client().get("/fine")
    assert response.status_code == 200 and response.get_data(as_text=True) == "fine"
    assert calls  # it was tried, failed, and did not turn the 200 into a server error


def test_what_counts_as_an_outage():
    assert is_database_outage(lost_connection())
    assert is_database_outage(psycopg.InterfaceError("connection already closed"))
    assert not is_database_outage(IntegrityError("INSERT", {}, Exception("duplicate")))
    assert not is_database_outage(ValueError("no"))
