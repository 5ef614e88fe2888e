"""`flask core load companies|people FILE`: load core reference data from CSV or JSON Lines.

The load runs here, in this process, as a recorded job run (kind `core.load_file`,
shown on the Jobs page of `--workspace` when one is given), and prints its counts and
the refused rows (line, reason).
"""

from __future__ import annotations

import socket
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from webapp.extensions import db
from webapp.jobs.core_data import LOAD_FILE
from webapp.jobs.registry import get_job
from webapp.jobs.runner import create_run, execute
from webapp.models import JobRun, Workspace
from webapp.services.core.records import check_file
from webapp.services.errors import ValidationFailed

core_cli = AppGroup("core", help="Core reference data (companies and people).")


@core_cli.command("load")
@click.argument("kind", type=click.Choice(["companies", "people"]))
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--workspace", "workspace_slug", help="Show the run on this workspace's Jobs page.")
@click.option("--show-errors", default=20, show_default=True, help="Refused rows to print.")
def load_command(kind: str, path: Path, workspace_slug: str | None, show_errors: int) -> None:
    """Upsert companies (by domain) or people (by email, else LinkedIn URL) from FILE.

    Columns: companies domain, name, industry, employee_count, revenue, city, state,
    country, linkedin_url; people email, first_name, last_name, full_name, title,
    seniority, department, linkedin_url, company_domain. A .jsonl/.ndjson file (or one
    starting with '{') is JSON Lines, anything else CSV with a header row.
    """
    _check_file(path, kind)
    workspace_id = None
    if workspace_slug:
        workspace = db.session.execute(
            select(Workspace).where(Workspace.slug == workspace_slug)
        ).scalar()
        if workspace is None:
            raise click.ClickException(f"No workspace with the slug '{workspace_slug}'.")
        workspace_id = workspace.id
    spec = get_job(LOAD_FILE)
    # The host: a retry from the Jobs page on another machine says where the file is.
    args = [str(path.resolve()), kind, socket.gethostname()]
    run = create_run(spec, status="queued", workspace_id=workspace_id, args=args)
    execute(spec, run.id, args, {}, will_retry=False, reraise=False)
    db.session.expire_all()
    run = db.session.get(JobRun, run.id)
    if run.status != "succeeded":
        raise click.ClickException(f"The load {run.status}: {run.error or run.message or ''}")
    counts = run.counts or {}
    click.echo(
        f"{kind}: {counts.get('read', 0)} rows read, {counts.get('inserted', 0)} added, "
        f"{counts.get('updated', 0)} updated, {counts.get('merged', 0)} merged, "
        f"{counts.get('failed', 0)} refused (job run {run.id})."
    )
    errors = (run.result or {}).get("errors", [])
    for error in errors[:show_errors]:
        click.echo(f"line {error['line']}: {error['reason']}  {error['values']}", err=True)
    if len(errors) > show_errors or (run.result or {}).get("errors_total", 0) > len(errors):
        click.echo(f"... {(run.result or {}).get('errors_total')} refused rows in all.", err=True)


def _check_file(path: Path, kind: str) -> None:
    """One line and exit 1 for a file that cannot be loaded at all, before any run."""
    try:
        with open(path, "rb") as stream:
            check_file(stream, path.name, kind)
    except FileNotFoundError:
        raise click.ClickException(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise click.ClickException(f"{path}: is a folder, not a file.") from None
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot be read ({exc.strerror}).") from None
    except ValidationFailed as exc:
        reasons = "; ".join(str(reason) for reason in exc.errors.values())
        raise click.ClickException(f"{path}: {reasons}.") from None
