"""CLI commands: `flask users create`, `flask demo load`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from webapp.extensions import db
from webapp.models import ROLES
from webapp.services.accounts.users import add_member, get_or_create_workspace, member_change
from webapp.services.audit import record_cli_audit
from webapp.services.errors import ValidationFailed

users_cli = AppGroup("users", help="Manage users.")
demo_cli = AppGroup("demo", help="The demo workspace.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", help="Asked for when left out.")
@click.option(
    "--workspace", "workspace_slug", required=True, help="Workspace slug (created if new)."
)
@click.option("--role", type=click.Choice(ROLES), default="rep", show_default=True)
@click.option("--name", default="", help="Display name.")
def create_user(email, password, workspace_slug, role, name):
    """Create a user (or add an existing one) in a workspace."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        workspace = get_or_create_workspace(db.session, workspace_slug)
        change = member_change(db.session, workspace, email, role)
        membership = add_member(db.session, workspace, email, role, name=name, password=password)
    except ValidationFailed as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    if change is not None:
        action, old_role = change
        details = {"email": membership.user.email, "role": role}
        if old_role and action == "member.role_changed":
            details["old_role"] = old_role
        record_cli_audit(db.session, workspace.id, action, "user", membership.user_id, details)
    db.session.commit()
    article = "an" if role == "admin" else "a"
    click.echo(f"{membership.user.email} is {article} {role} of workspace '{workspace.slug}'.")


@demo_cli.command("load")
@click.option("--leads", "lead_count", default=500, show_default=True)
@click.option("--seed", default=7, show_default=True)
def load_demo(lead_count, seed):
    """Load (or refresh) the demo workspace with an admin, a rep and realistic leads."""
    from webapp.services.demo import DEMO_PASSWORD, load_demo_workspace

    sandbox = current_app.config["BASE_URL"] + "/sandbox"
    result = load_demo_workspace(
        db.session,
        lead_count=lead_count,
        seed=seed,
        sandbox_url=sandbox if current_app.config.get("SANDBOX_PROVIDERS") else None,
    )
    db.session.commit()
    click.echo(
        f"Demo workspace '{result.workspace.slug}': {result.leads_created} leads added "
        f"({result.leads_total} in all)."
    )
    click.echo(
        f"Sign in as {result.admin_email} (admin) or {result.rep_email} (rep), "
        f"password: {DEMO_PASSWORD}"
    )
    base = current_app.config["BASE_URL"]
    click.echo(f"Demo capture form: {base}/f/{result.form_key} (public key {result.form_key})")
    if current_app.config.get("SANDBOX_PROVIDERS"):
        click.echo(f"Pipeline providers, delivery and platforms: the sandbox at {sandbox}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    from webapp.cli_core import core_cli
    from webapp.cli_forms import forms_cli
    from webapp.cli_tokens import tokens_cli

    app.cli.add_command(tokens_cli)
    app.cli.add_command(forms_cli)
    app.cli.add_command(core_cli)
    from webapp.cli_sandbox import sandbox_cli

    app.cli.add_command(sandbox_cli)
