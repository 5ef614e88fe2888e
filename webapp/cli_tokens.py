"""`flask tokens create|list|revoke`: API tokens from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Membership, User, Workspace
from webapp.models.api_tokens import SCOPE_ALL, SCOPES
from webapp.services.accounts.api_tokens import create_token, list_tokens, revoke_token
from webapp.services.accounts.users import find_user_by_email
from webapp.services.audit import record_cli_audit
from webapp.services.errors import NotFound, ValidationFailed

tokens_cli = AppGroup("tokens", help="API tokens for the JSON API.")


def _workspace(slug: str) -> Workspace:
    workspace = db.session.execute(select(Workspace).where(Workspace.slug == slug)).scalar()
    if workspace is None:
        raise click.ClickException(
            f"No workspace with the slug '{slug}'. Create it first, e.g. with "
            "`flask users create --workspace <slug> ...`."
        )
    return workspace


def _admin(workspace: Workspace, email: str) -> User:
    user = find_user_by_email(db.session, email)
    membership = (
        db.session.execute(
            select(Membership).where(
                Membership.workspace_id == workspace.id, Membership.user_id == user.id
            )
        ).scalar()
        if user is not None
        else None
    )
    if membership is None or membership.role != "admin" or not (membership.active and user.active):
        raise click.ClickException(
            f"{email} is not an active admin of the workspace '{workspace.slug}'."
        )
    return user


@tokens_cli.command("create")
@click.option("--workspace", "workspace_slug", required=True, help="Workspace slug.")
@click.option("--name", required=True, help="What the token is for, e.g. 'Zapier'.")
@click.option(
    "--scope",
    "scopes",
    type=click.Choice(list(SCOPES)),
    default=SCOPE_ALL,
    show_default=True,
    help="'target_client': only the /run/target-client/leads endpoints.",
)
@click.option(
    "--as",
    "admin_email",
    default=None,
    help="An admin of the workspace the token acts as: lists and imports it makes are "
    "theirs, and the audit names them (as for a token made in Settings → API tokens).",
)
def create_command(workspace_slug: str, name: str, scopes: str, admin_email: str | None) -> None:
    """Make an API token and print it (it is shown only this once)."""
    workspace = _workspace(workspace_slug)
    admin_id = _admin(workspace, admin_email).id if admin_email else None
    try:
        new = create_token(db.session, workspace.id, name, created_by_id=admin_id, scopes=scopes)
    except ValidationFailed as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    details = {"name": new.token.name, "prefix": new.token.token_prefix, "scopes": scopes}
    record_cli_audit(
        db.session, workspace.id, "api_token.created", "api_token", new.token.id, details
    )
    db.session.commit()
    click.echo(new.secret)
    click.echo(
        f"API token '{new.token.name}' for workspace '{workspace.slug}'. "
        "Store it now: it is not shown again.",
        err=True,
    )


@tokens_cli.command("list")
@click.option("--workspace", "workspace_slug", required=True, help="Workspace slug.")
def list_command(workspace_slug: str) -> None:
    """List a workspace's tokens (prefixes only; secrets are never stored)."""
    workspace = _workspace(workspace_slug)
    for token in list_tokens(db.session, workspace.id):
        state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
        click.echo(
            f"{token.id}  {token.token_prefix}…  {token.name}  {state}  last used {used}"
            f"  access {token.scopes}"
        )


@tokens_cli.command("revoke")
@click.option("--workspace", "workspace_slug", required=True, help="Workspace slug.")
@click.argument("token_id", type=click.UUID)
def revoke_command(workspace_slug: str, token_id) -> None:
    """Revoke a token by its id (from `flask tokens list`)."""
    workspace = _workspace(workspace_slug)
    try:
        token = revoke_token(db.session, workspace.id, token_id)
    except NotFound:
        raise click.ClickException("No such token in this workspace.") from None
    details = {"name": token.name, "prefix": token.token_prefix}
    record_cli_audit(db.session, workspace.id, "api_token.revoked", "api_token", token.id, details)
    db.session.commit()
    click.echo(f"Revoked '{token.name}' ({token.token_prefix}…).")
