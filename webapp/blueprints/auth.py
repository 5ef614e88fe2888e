"""Sign in, sign out, switch workspace."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from webapp.auth_session import WORKSPACE_SESSION_KEY, active_memberships
from webapp.extensions import db, limiter
from webapp.models.base import utcnow
from webapp.net import client_ip, safe_next
from webapp.services.accounts.users import find_user_by_email

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_key() -> str:
    return "login-account:" + request.form.get("email", "").strip().lower()


def _failed(response) -> bool:
    return response.status_code != 302


@bp.get("/")
def home():
    """The desk's front door: My Leads (which asks for a sign-in first)."""
    return redirect(url_for("leads.index"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed, scope="login-ip")
@limiter.limit(
    _login_limit,
    methods=["POST"],
    deduct_when=_failed,
    key_func=_account_key,
    scope="login-account",
)
def login():
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or url_for("leads.index"))
    error = None
    email = request.form.get("email", "").strip()
    if request.method == "POST":
        user = find_user_by_email(db.session, email) if email else None
        password = request.form.get("password", "")
        if user is None or not user.check_password(password):
            error = "Email or password is not right."
        elif not user.active or not active_memberships(user):
            error = "This account is deactivated. Ask a workspace admin."
        else:
            session.clear()
            login_user(user, remember=bool(request.form.get("remember")))
            user.last_login_at = utcnow()
            db.session.commit()
            current_app.logger.info("login user=%s ip=%s", user.id, client_ip())
            return redirect(next_url or url_for("leads.index"))
        current_app.logger.info("failed login ip=%s", client_ip())
    status = 401 if error else 200
    return render_template("auth/login.html", error=error, email=email, next=next_url), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.post("/workspace")
@login_required
def switch_workspace():
    wanted = request.form.get("workspace_id", "")
    for membership in g.memberships:
        if str(membership.workspace_id) == wanted:
            session[WORKSPACE_SESSION_KEY] = wanted
            flash(f"Switched to {membership.workspace.name}.", "info")
            break
    else:
        flash("You are not a member of that workspace.", "error")
    return redirect(url_for("leads.index"))
