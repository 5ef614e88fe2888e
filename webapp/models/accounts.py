"""Users, workspaces and the memberships that give users a role in a workspace."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.extensions import db
from webapp.models.base import UTCDateTime, created_at_column, updated_at_column, uuid_pk

ROLES = ("admin", "rep")


class Workspace(db.Model):
    __tablename__ = "workspaces"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    slug: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    timezone: Mapped[str] = mapped_column(sa.String(64), nullable=False, default="UTC")
    # Pipeline credits (services/pipeline/credits.py): NULL limit = the DAILY_CREDIT_LIMIT setting.
    daily_credit_limit: Mapped[int | None] = mapped_column(sa.Integer)
    daily_credits_used: Mapped[int] = mapped_column(
        sa.Integer, nullable=False, default=0, server_default="0"
    )
    created_at: Mapped[datetime] = created_at_column()

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="workspace", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Workspace {self.slug}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = uuid_pk()
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(sa.String(256), nullable=False)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Small per-user UI choices that follow the user across devices, e.g. a data
    # table's columns: {"columns": {"leads": ["name", "email", …]}} (services/preferences).
    preferences: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def set_password(self, password: str) -> None:
        method = "scrypt"
        if has_app_context():  # cheap only under testing (Config.PASSWORD_HASH_METHOD)
            method = current_app.config.get("PASSWORD_HASH_METHOD", method)
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "user_id"),
        sa.CheckConstraint("role in ('admin', 'rep')", name="role"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="rep")
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = created_at_column()

    workspace: Mapped[Workspace] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
