"""The Jobs page: scoped runs, filters, live rows that stop polling, Retry and Cancel."""

import pytest

from tests.factories import signed_in
from webapp.models import JobRun


@pytest.fixture()
def inline(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)


def add_run(db, workspace, user=None, **fields) -> JobRun:
    fields.setdefault("kind", "diagnostics.batches")
    fields.setdefault("args", [2])
    fields.setdefault("kwargs", {})
    run = JobRun(workspace_id=workspace.id, started_by=user.id if user else None, **fields)
    db.session.add(run)
    db.session.commit()
    return run


def test_admin_sees_the_workspace_runs_with_labels_and_errors(client, db, factory):
    workspace, admin = signed_in(client, factory)
    rep = factory.user(workspace, role="rep", name="Remy Rep")
    add_run(db, workspace, rep, status="failed", error="RuntimeError: the provider said no")
    add_run(db, workspace, admin, kind="diagnostics.noop", status="succeeded")
    add_run(db, factory.workspace(), None, status="failed", error="elsewhere")

    page = client.get("/jobs").get_data(as_text=True)
    assert "Batch loop (diagnostics)" in page and "No-op (diagnostics)" in page
    assert "RuntimeError: the provider said no" in page and "Remy Rep" in page
    assert "elsewhere" not in page and "2 runs" in page
    assert ">Retry</button>" in page


def test_filters_by_kind_and_status(client, db, factory):
    workspace, admin = signed_in(client, factory)
    add_run(db, workspace, admin, status="failed", error="boom")
    add_run(db, workspace, admin, kind="diagnostics.noop", status="succeeded")
    by_kind = client.get("/jobs?kind=diagnostics.noop").get_data(as_text=True)
    assert "1 run" in by_kind and "boom" not in by_kind
    by_status = client.get("/jobs?status=failed").get_data(as_text=True)
    assert "1 run" in by_status and "boom" in by_status
    assert "0 runs" in client.get("/jobs?status=nonsense").get_data(as_text=True)


def test_a_rep_sees_only_their_own_runs(client, db, factory):
    workspace, rep = signed_in(client, factory, role="rep")
    admin = factory.user(workspace, role="admin")
    mine = add_run(db, workspace, rep, status="succeeded", message="mine done")
    theirs = add_run(db, workspace, admin, status="failed", error="not for reps")
    page = client.get("/jobs").get_data(as_text=True)
    assert "mine done" in page and "not for reps" not in page
    assert client.get(f"/jobs/{mine.id}").status_code == 200
    assert client.get(f"/jobs/{theirs.id}").status_code == 404
    assert client.post_form(f"/jobs/{theirs.id}/retry").status_code == 404


def test_another_workspace_run_is_404(client, db, factory):
    signed_in(client, factory)
    other = add_run(db, factory.workspace(), None, status="failed", error="x")
    for url in (f"/jobs/{other.id}", f"/jobs/{other.id}/progress", f"/jobs/{other.id}/row"):
        assert client.get(url).status_code == 404
    assert client.post_form(f"/jobs/{other.id}/cancel").status_code == 404
    assert client.get("/jobs/not-a-uuid").status_code == 404


def test_active_widget_polls_and_the_ended_one_does_not(client, db, factory):
    workspace, admin = signed_in(client, factory)
    run = add_run(db, workspace, admin, status="running", progress_done=3, progress_total=12)
    widget = client.htmx("get", f"/jobs/{run.id}/progress").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in widget and 'value="3" max="12"' in widget
    assert "3 of 12 (25%)" in widget
    row = client.htmx("get", f"/jobs/{run.id}/row").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in row

    run.status, run.progress_done, run.message = "succeeded", 12, "All 12 batches done."
    db.session.commit()
    widget = client.htmx("get", f"/jobs/{run.id}/progress").get_data(as_text=True)
    assert "hx-trigger" not in widget and "hx-get" not in widget
    assert "All 12 batches done." in widget
    assert "hx-trigger" not in client.htmx("get", f"/jobs/{run.id}/row").get_data(as_text=True)


def test_the_starting_page_is_refreshed_once_its_run_ends(client, db, factory):
    workspace, admin = signed_in(client, factory)
    run = add_run(db, workspace, admin, status="running")
    polling = client.htmx("get", f"/jobs/{run.id}/progress?reload=1")
    assert "HX-Refresh" not in polling.headers
    assert "reload=1" in polling.get_data(as_text=True)
    run.status = "failed"
    db.session.commit()
    ended = client.htmx("get", f"/jobs/{run.id}/progress?reload=1")
    assert ended.headers["HX-Refresh"] == "true"


def test_run_page_shows_counts_error_and_children(client, db, factory):
    workspace, admin = signed_in(client, factory)
    parent = add_run(
        db, workspace, admin, status="failed", counts={"created": 4}, error="ValueError: bad row"
    )
    add_run(db, workspace, admin, kind="diagnostics.noop", status="succeeded", parent_id=parent.id)
    page = client.get(f"/jobs/{parent.id}").get_data(as_text=True)
    assert "Created" in page and "<td>4</td>" in page
    assert "ValueError: bad row" in page and "No-op (diagnostics)" in page


def test_retry_a_failed_run_starts_a_linked_one(client, db, factory, inline):
    workspace, admin = signed_in(client, factory)
    failed = add_run(db, workspace, admin, status="failed", error="boom", args=[2])
    response = client.post_form(f"/jobs/{failed.id}/retry")
    assert response.status_code == 302
    again = db.session.execute(db.select(JobRun).where(JobRun.retry_of_id == failed.id)).scalar()
    assert response.headers["Location"] == f"/jobs/{again.id}"
    assert (again.status, again.args, again.started_by) == ("succeeded", [2], admin.id)
    assert client.post_form(f"/jobs/{again.id}/retry").status_code == 409


def test_cancel_a_queued_run(client, db, factory, inline):
    workspace, admin = signed_in(client, factory)
    run = add_run(db, workspace, admin, status="queued")
    response = client.post_form(f"/jobs/{run.id}/cancel", {"next": "/jobs"})
    assert response.headers["Location"] == "/jobs"
    db.session.expire_all()
    assert db.session.get(JobRun, run.id).status == "cancelled"
    for off_site in ("//evil.example", "/\t/evil.example", "/\n/evil.example", "https://x.y/"):
        response = client.post_form(f"/jobs/{run.id}/cancel", {"next": off_site})
        assert response.status_code == 302, off_site  # not a 500
        assert response.headers["Location"] == f"/jobs/{run.id}", off_site


def test_cancel_a_running_run_asks_it_to_stop(client, db, factory):
    workspace, admin = signed_in(client, factory)
    run = add_run(db, workspace, admin, status="running")
    client.post_form(f"/jobs/{run.id}/cancel")
    db.session.expire_all()
    stored = db.session.get(JobRun, run.id)
    assert stored.status == "running" and stored.cancel_requested_at is not None
    widget = client.htmx("get", f"/jobs/{run.id}/progress").get_data(as_text=True)
    assert "stopping after this batch" in widget and ">Cancel</button>" not in widget


def test_posts_need_the_csrf_token(client, db, factory):
    workspace, admin = signed_in(client, factory)
    run = add_run(db, workspace, admin, status="queued")
    assert client.raw.post(f"/jobs/{run.id}/cancel").status_code == 400
