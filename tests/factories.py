"""Factories for the objects tests need; each commits so HTTP requests see it."""

from __future__ import annotations

import itertools

from webapp.models import Lead, Membership, User, Workspace
from webapp.services.leads.timeline import create_lead

_seq = itertools.count(1)


class Factory:
    def __init__(self, session):
        self.session = session

    def workspace(self, slug: str | None = None, name: str | None = None) -> Workspace:
        n = next(_seq)
        workspace = Workspace(slug=slug or f"ws-{n}", name=name or f"Workspace {n}")
        self.session.add(workspace)
        self.session.commit()
        return workspace

    def user(
        self,
        workspace: Workspace | None = None,
        role: str = "rep",
        email: str | None = None,
        password: str = "password123",
        name: str | None = None,
    ) -> User:
        n = next(_seq)
        user = User(email=email or f"user{n}@example.com", name=name or f"User {n}")
        user.set_password(password)
        self.session.add(user)
        self.session.flush()
        if workspace is not None:
            self.session.add(Membership(workspace_id=workspace.id, user_id=user.id, role=role))
        self.session.commit()
        return user

    def likely_duplicates(self, workspace: Workspace) -> tuple[Lead, Lead]:
        """Jon and Jonathon Doe at Acme Widgets: two emails, one person (Jonathon has a phone)."""
        jon = self.lead(
            workspace, full_name="Jon Doe", email="jon@acmewidgets.com", company_name="Acme Widgets"
        )
        jonathon = self.lead(
            workspace,
            full_name="Jonathon Doe",
            email="jonathon@acmewidgets.com",
            company_name="Acme Widgets",
            phone="+14155550190",
        )
        return jon, jonathon

    def member(self, user: User, workspace: Workspace, role: str = "rep") -> Membership:
        membership = Membership(workspace_id=workspace.id, user_id=user.id, role=role)
        self.session.add(membership)
        self.session.commit()
        return membership

    def lead(self, workspace: Workspace, **fields) -> Lead:
        n = next(_seq)
        fields.setdefault("first_name", f"Lead{n}")
        fields.setdefault("last_name", "Person")
        fields.setdefault("email", f"lead{n}@example.com")
        fields.setdefault("source", "website")
        owner_id = fields.pop("assigned_to_id", None)  # not a field a form edits
        result = create_lead(self.session, workspace.id, fields)
        if owner_id is not None:
            result.lead.assigned_to_id = owner_id
        self.session.commit()
        return result.lead


def signed_in(client, factory, role: str = "admin", **user_fields):
    """A workspace, a member of it with `role`, signed in on `client`."""
    workspace = factory.workspace()
    user = factory.user(workspace, role=role, **user_fields)
    client.login(user)
    return workspace, user
