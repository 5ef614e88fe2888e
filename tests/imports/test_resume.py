"""A worker killed mid-import: the next run carries on after the last committed batch,
with nothing doubled and exact counts (a real process, killed with SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.imports.helpers import counts, csv_bytes, leads_of, reloaded, upload
from webapp.models import ImportChange, LeadActivity, LeadListMember
from webapp.services.imports.setup import ImportOptions, configure_import

ROOT = Path(__file__).resolve().parents[2]
ROWS = 4000
BATCH = 100


def _flask_run(app, imp):
    env = {
        **os.environ,
        "APP_ENV": "testing",
        "PYTHONPATH": str(ROOT),
        "FLASK_APP": "webapp",
        "INSTANCE_PATH": app.instance_path,
        "DATABASE_URL": os.environ.get("DATABASE_URL") or app.config["SQLALCHEMY_DATABASE_URI"],
    }
    env.pop("REDIS_URL", None)
    command = [
        sys.executable,
        "-m",
        "flask",
        "imports",
        "run",
        str(imp.id),
        "--batch-size",
        str(BATCH),
    ]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_a_killed_import_resumes_without_doubles(app, db, desk):
    workspace, admin = desk
    rows = [["Email", "First Name", "Phone"]]
    for n in range(ROWS):
        rows.append([f"p{n % (ROWS - 100)}@example.com", f"P{n}", ""])  # 100 in-file repeats
    rows[4000] = ["not-an-email", "Bad", ""]  # p99's second row: 3,900 leads, 99 repeats
    imp = upload(app, workspace, admin, csv_bytes(rows))
    configure_import(db.session, imp, ImportOptions(duplicate_policy="skip"), admin.id)
    db.session.commit()

    first = _flask_run(app, imp)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        db.session.expire_all()
        if reloaded(imp).checkpoint >= 5 * BATCH:
            break
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = reloaded(imp).checkpoint
    assert 5 * BATCH <= killed_at < ROWS, "the import should be killed part way"
    assert reloaded(imp).finished_at is None

    second = _flask_run(app, imp)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err.decode()[-2000:]
    assert counts(imp) == {
        "total": ROWS, "done": ROWS, "created": ROWS - 100, "updated": 0, "skipped": 99,
        "invalid": 1,
    }  # fmt: skip
    assert len(leads_of(workspace)) == ROWS - 100
    lead_ids = [lead.id for lead in leads_of(workspace)]
    for model, column in ((ImportChange, ImportChange.lead_id), (LeadActivity, LeadActivity.lead_id),
                          (LeadListMember, LeadListMember.lead_id)):  # fmt: skip
        query = db.select(column).where(column.in_(lead_ids))
        if model is LeadActivity:
            query = query.where(LeadActivity.activity_type == "imported")
        found = db.session.execute(query).scalars().all()
        assert len(found) == len(set(found)) == ROWS - 100, model.__name__
    assert reloaded(imp).job_run.attempts == 2
