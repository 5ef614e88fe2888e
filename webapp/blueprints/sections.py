"""Sections of the navigation whose features arrive in later releases."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("sections", __name__)

SECTIONS = {
    "lists": ("Lists", "Static and dynamic lead lists"),
    "campaigns": ("Campaigns", "Campaigns built from lead lists"),
    "imports": ("Imports", "CSV import with a row-level report"),
    "pipeline": ("Pipeline", "Discovery, scoring, enrichment and delivery jobs"),
}


def _section_view(key: str):
    title, summary = SECTIONS[key]

    @login_required
    def view():
        return render_template("sections/unavailable.html", title=title, summary=summary)

    view.__name__ = key
    return view


for _key in SECTIONS:
    bp.add_url_rule(f"/{_key}", endpoint=_key, view_func=_section_view(_key))
