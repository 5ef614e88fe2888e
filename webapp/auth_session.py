"""Loading the signed-in user and their current workspace for each request."""

from __future__ import annotations

import uuid
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, flash, g, make_response, redirect, request, session, url_for
from flask_login import current_user, login_url, logout_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from webapp.extensions import db, login_manager
from webapp.models import Membership, User

WORKSPACE_SESSION_KEY = "workspace_id"
# Public capture and health checks never act as a signed-in user: skip loading one.
SESSIONLESS_BLUEPRINTS = frozenset({"public", "api.capture", "health"})


# Every page needs the memberships and their workspaces: one query brings all three.
# Built once: every request runs it.
USER_BY_ID = (
    select(User)
    .options(joinedload(User.memberships).joinedload(Membership.workspace))
    .where(User.id == bindparam("user_id"))
)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        wanted = uuid.UUID(user_id)
    except ValueError:
        return None
    return db.session.execute(USER_BY_ID, {"user_id": wanted}).unique().scalar()


def active_memberships(user: User) -> list[Membership]:
    """The user's active memberships by workspace name (no query once the user is loaded)."""
    return sorted((m for m in user.memberships if m.active), key=lambda m: (m.workspace.name, m.id))


def choose_membership(memberships: list[Membership], wanted: str | None) -> Membership | None:
    for membership in memberships:
        if wanted and str(membership.workspace_id) == wanted:
            return membership
    return memberships[0] if memberships else None


def _load_workspace() -> None:
    g.membership = None
    g.workspace = None
    g.memberships = []
    if request.blueprint in SESSIONLESS_BLUEPRINTS or not current_user.is_authenticated:
        return
    memberships = active_memberships(current_user)
    membership = choose_membership(memberships, session.get(WORKSPACE_SESSION_KEY))
    if membership is None:
        # Deactivated from every workspace: a signed-in user with nowhere to work.
        logout_user()
        session.pop(WORKSPACE_SESSION_KEY, None)
        return
    chosen = str(membership.workspace_id)
    if session.get(WORKSPACE_SESSION_KEY) != chosen:  # an unchanged session sends no cookie
        session[WORKSPACE_SESSION_KEY] = chosen
    g.membership = membership
    g.workspace = membership.workspace
    g.memberships = memberships


@login_manager.unauthorized_handler
def _sign_in_first():
    """Send a signed-out request to the sign-in page, and back to where it was after.

    An htmx request gets no redirect to follow: htmx would swap the sign-in page into
    the page as if it were the fragment. It gets a 401 whose HX-Redirect takes the whole
    browser there, to come back to the page the user was on.
    """
    if request.headers.get("HX-Request"):
        here = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = here.path + (f"?{here.query}" if here.query else "") if here.path else None
        response = make_response("", 401)
        response.headers["HX-Redirect"] = url_for(login_manager.login_view, next=back)
        return response
    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def register_session_hooks(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    from webapp.read_only import register_read_only_pages

    register_read_only_pages(app)  # before the user loads: it opens the transaction
    app.before_request(_load_workspace)


def admin_required(view):
    """Only workspace admins; reps get 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if g.membership is None or not g.membership.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
