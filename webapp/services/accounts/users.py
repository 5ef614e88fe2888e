"""Users, workspaces and memberships."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager

from webapp.models import ROLES, Membership, User, Workspace
from webapp.services.errors import ValidationFailed
from webapp.services.normalize import clean_email
from webapp.services.scoping import get_owned

MIN_PASSWORD_LENGTH = 8
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def find_user_by_email(session: Session, email: str) -> User | None:
    key = email.strip().lower()
    return session.execute(select(User).where(func.lower(User.email) == key)).scalar()


def get_or_create_workspace(session: Session, slug: str, name: str | None = None) -> Workspace:
    slug = slug.strip().lower()
    if not _SLUG_RE.match(slug):
        raise ValidationFailed({"workspace": "use lower-case letters, digits and dashes"})
    workspace = session.execute(select(Workspace).where(Workspace.slug == slug)).scalar()
    if workspace is None:
        workspace = Workspace(slug=slug, name=name or slug.replace("-", " ").title())
        session.add(workspace)
        session.flush()
        from webapp.services.pipeline.signals import seed_signal_types

        seed_signal_types(session, workspace.id)
    return workspace


def _checked_email(email: str) -> str:
    try:
        cleaned = clean_email(email)
    except ValueError as exc:
        raise ValidationFailed({"email": str(exc)}) from None
    if not cleaned:
        raise ValidationFailed({"email": "is required"})
    return cleaned.lower()


def add_member(
    session: Session,
    workspace: Workspace,
    email: str,
    role: str,
    name: str = "",
    password: str | None = None,
) -> Membership:
    """Add a user to a workspace, creating the user when the email is new.

    An existing user keeps their password; a new one needs one.
    """
    if role not in ROLES:
        raise ValidationFailed({"role": f"must be one of {', '.join(ROLES)}"})
    email = _checked_email(email)
    user = find_user_by_email(session, email)
    if user is None:
        if not password or len(password) < MIN_PASSWORD_LENGTH:
            raise ValidationFailed(
                {"password": f"must be at least {MIN_PASSWORD_LENGTH} characters"}
            )
        user = User(email=email, name=name.strip())
        user.set_password(password)
        session.add(user)
        session.flush()
    membership = session.execute(
        select(Membership).where(
            Membership.workspace_id == workspace.id, Membership.user_id == user.id
        )
    ).scalar()
    if membership is None:
        membership = Membership(workspace_id=workspace.id, user_id=user.id, role=role)
        session.add(membership)
    else:
        membership.role = role
        membership.active = True
    session.flush()
    return membership


def member_change(
    session: Session, workspace: Workspace, email: str, role: str
) -> tuple[str, str | None] | None:
    """What add_member(email, role) would change, as (audit action, previous role).

    None when nothing would: the person is an active member with that role already.
    """
    user = find_user_by_email(session, email or "")
    membership = (
        session.execute(
            select(Membership).where(
                Membership.workspace_id == workspace.id, Membership.user_id == user.id
            )
        ).scalar()
        if user
        else None
    )
    if membership is None:
        return "member.added", None
    if membership.role != role:
        return "member.role_changed", membership.role
    if not membership.active:
        return "member.reactivated", membership.role
    return None


def workspace_members(session: Session, workspace_id: uuid.UUID, active_only: bool = False):
    query = (
        select(Membership)
        .join(User)
        .options(contains_eager(Membership.user))  # the template names each member
        .where(Membership.workspace_id == workspace_id)
        .order_by(User.name, User.email)
    )
    if active_only:
        query = query.where(Membership.active.is_(True), User.active.is_(True))
    return session.execute(query).scalars().all()


def set_member_active(
    session: Session,
    workspace_id: uuid.UUID,
    membership_id,
    active: bool,
    acting_user_id: uuid.UUID,
) -> Membership:
    """Deactivate or reactivate a member; NotFound for an id not of this workspace."""
    membership = get_owned(session, Membership, workspace_id, membership_id)
    if not active and membership.user_id == acting_user_id:
        raise ValidationFailed({"member": "you cannot deactivate yourself"})
    if not active and membership.role == "admin":
        other_admins = session.execute(
            select(func.count())
            .select_from(Membership)
            .where(
                Membership.workspace_id == workspace_id,
                Membership.role == "admin",
                Membership.active.is_(True),
                Membership.id != membership.id,
            )
        ).scalar_one()
        if other_admins == 0:
            raise ValidationFailed({"member": "a workspace needs at least one active admin"})
    membership.active = active
    return membership


def update_workspace(workspace: Workspace, name: str, timezone: str) -> None:
    """Rename a workspace or change the time zone its dates are shown in."""
    from zoneinfo import available_timezones

    errors = {}
    name = (name or "").strip()
    if not name or len(name) > 120:
        errors["workspace_name"] = "is required, at most 120 characters"
    if timezone not in available_timezones():
        errors["timezone"] = "is not a known time zone (e.g. Europe/Berlin)"
    if errors:
        raise ValidationFailed(errors)
    workspace.name, workspace.timezone = name, timezone
