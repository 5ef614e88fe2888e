"""Sections of the navigation: the Lists overview, and those whose features arrive later."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask_login import login_required

from webapp.extensions import db
from webapp.services.lists.lists import lists_overview

bp = Blueprint("sections", __name__)

SECTIONS = {
    "campaigns": ("Campaigns", "Campaigns built from lead lists"),
    "imports": ("Imports", "CSV import with a row-level report"),
    "pipeline": ("Pipeline", "Discovery, scoring, enrichment and delivery jobs"),
}


@bp.get("/lists")
@login_required
def lists():
    return render_template("sections/lists.html", lists=lists_overview(db.session, g.workspace.id))


def _section_view(key: str):
    title, summary = SECTIONS[key]

    @login_required
    def view():
        return render_template("sections/unavailable.html", title=title, summary=summary)

    view.__name__ = key
    return view


for _key in SECTIONS:
    bp.add_url_rule(f"/{_key}", endpoint=_key, view_func=_section_view(_key))
