"""`flask forms create`: a capture form from the command line."""

from __future__ import annotations

import re

import click
from flask.cli import AppGroup
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Workspace
from webapp.services.audit import record_cli_audit
from webapp.services.capture.forms import create_form
from webapp.services.errors import ValidationFailed

forms_cli = AppGroup("forms", help="Capture forms.")


def _per_hour(value: str | None) -> int | None:
    if value is None:
        return None
    match = re.fullmatch(r"\s*(\d+)\s*(?:/\s*(?:hour|h))?\s*", value)
    if not match:
        raise click.BadParameter("use N or N/hour, e.g. 10/hour")
    return int(match.group(1))


@forms_cli.command("create")
@click.option("--workspace", "workspace_slug", required=True)
@click.option("--name", required=True)
@click.option("--rate-limit", help="Submissions per hour per IP, e.g. 10/hour (default 10).")
@click.option("--origin", "origins", multiple=True, help="Allowed origin for fetch (repeatable).")
@click.option("--source", default="website", show_default=True)
def create(workspace_slug, name, rate_limit, origins, source):
    """Create a capture form and print its public key."""
    workspace = db.session.execute(
        select(Workspace).where(Workspace.slug == workspace_slug.strip().lower())
    ).scalar()
    if workspace is None:
        raise click.ClickException(f"No workspace '{workspace_slug}'.")
    data = {
        "name": name,
        "allowed_origins": list(origins),
        "default_source": source,
        # 0 goes to the form's own check, which refuses it as the Settings page does.
        "rate_limit_per_hour": 10 if rate_limit is None else _per_hour(rate_limit),
    }
    try:
        form = create_form(db.session, workspace.id, data)
    except ValidationFailed as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    record_cli_audit(db.session, workspace.id, "form.created", "form", form.id, {"name": form.name})
    db.session.commit()
    click.echo(form.public_key)
