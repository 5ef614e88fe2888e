"""Workspace tags on leads."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Lead, Tag
from webapp.services.leads.input import clean_tag_names


def workspace_tag_names(session: Session, workspace_id) -> list[str]:
    return list(
        session.execute(
            select(Tag.name).where(Tag.workspace_id == workspace_id).order_by(Tag.name)
        ).scalars()
    )


def get_or_create_tags(session: Session, workspace_id, names) -> list[Tag]:
    names = clean_tag_names(names)
    if not names:
        return []
    found = {
        t.name: t
        for t in session.execute(
            select(Tag).where(Tag.workspace_id == workspace_id, Tag.name.in_(names))
        ).scalars()
    }
    for name in names:
        if name not in found:
            found[name] = Tag(workspace_id=workspace_id, name=name)
            session.add(found[name])
    session.flush()
    return [found[n] for n in names]


def add_tags(session: Session, lead: Lead, names) -> list[Tag]:
    tags = get_or_create_tags(session, lead.workspace_id, names)
    for tag in tags:
        if tag not in lead.tags:
            lead.tags.append(tag)
    return tags


def remove_tags(session: Session, lead: Lead, names) -> list[str]:
    """Take the named tags off a lead; returns the names that were removed."""
    names = set(clean_tag_names(names))
    removed = [t.name for t in lead.tags if t.name in names]
    lead.tags[:] = [t for t in lead.tags if t.name not in names]
    return removed
