"""`flask core load`: a file that cannot be loaded is one clear line and exit 1; the
`core.load_file` run names the host that has the file when retried elsewhere."""

from __future__ import annotations

import logging
import socket

import pytest
from sqlalchemy import select

from webapp.jobs.core_data import LOAD_FILE
from webapp.jobs.registry import get_job
from webapp.jobs.runner import create_run, execute
from webapp.models import JobRun


def _runs(db) -> list[JobRun]:
    db.session.expire_all()
    return list(db.session.execute(select(JobRun).where(JobRun.kind == LOAD_FILE)).scalars())


@pytest.mark.parametrize(
    "name,content,reason",
    [
        ("missing.csv", None, "no such file"),
        ("empty.csv", b"", "is empty"),
        ("binary.csv", b"\x00\x01\x02\xff" * 64, "is not a CSV file (it looks like a binary file)"),
        ("nokey.csv", b"name,city\nAcme,Paris\n", "has no 'domain' column (its header: name, city)"),
        ("empty.jsonl", b"", "is empty"),
    ],
)  # fmt: skip
def test_a_file_level_error_is_one_line_and_exit_1(
    app, db, tmp_path, caplog, name, content, reason
):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with caplog.at_level(logging.INFO):
        result = app.test_cli_runner().invoke(args=["core", "load", "companies", str(path)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"Error: {path}: {reason}."]
    assert "Traceback" not in result.output and not caplog.text
    assert _runs(db) == []  # refused before any run


def _retry(app, db, args) -> JobRun:
    spec = get_job(LOAD_FILE)
    run = create_run(spec, status="queued", args=args)
    execute(spec, run.id, args, {}, will_retry=True, reraise=True)  # as RQ, with retries left
    db.session.expire_all()
    return db.session.get(JobRun, run.id)


def test_a_retry_on_another_machine_gives_up_naming_the_host(app, db, tmp_path, caplog):
    gone = str(tmp_path / "companies.csv")  # not on this machine
    with caplog.at_level(logging.WARNING):
        run = _retry(app, db, [gone, "companies", "loader-host-1"])
    assert run.status == "failed"  # GiveUp: failed for good, RQ does not retry
    assert f"The file {gone} is only on host loader-host-1" in run.error
    assert f"this worker runs on {socket.gethostname()}" in run.error
    assert not caplog.records


def test_a_file_no_attempt_can_read_gives_up_without_a_traceback(app, db, tmp_path, caplog):
    path = tmp_path / "people.csv"
    path.write_bytes(b"first_name\nAnn\n")
    with caplog.at_level(logging.WARNING):
        run = _retry(app, db, [str(path), "people", socket.gethostname()])
    assert run.status == "failed"
    assert run.error == "File: has no 'email' column (its header: first_name)"
    assert not caplog.records
