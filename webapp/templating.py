"""Jinja filters and globals."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import Flask, g


def _local(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    workspace = getattr(g, "workspace", None)
    try:
        zone = ZoneInfo(workspace.timezone) if workspace else ZoneInfo("UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone)


def format_datetime(moment: datetime | None) -> str:
    local = _local(moment)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


def format_date(moment: datetime | None) -> str:
    local = _local(moment)
    return local.strftime("%Y-%m-%d") if local else ""


ACRONYMS = {"csv": "CSV", "api": "API", "url": "URL", "crm": "CRM", "ip": "IP"}


@lru_cache(maxsize=512)  # a few dozen code values, humanized on every row of every page
def humanize(value: str | None) -> str:
    """A code value as words: "closed_won" -> "Closed won", "csv_import" -> "CSV import"."""
    words = (value or "").replace("_", " ").capitalize().split(" ")
    return " ".join(ACRONYMS.get(word.lower(), word) if word else word for word in words)


FIELD_LABELS = {
    "linkedin_url": "LinkedIn URL",
    "company_name": "Company",
    "company_domain": "Company domain",
    "employee_count": "Employees",
    "lead_score": "Score",
    "source_id": "Source id",
    "search_query": "Search query",
    "search_mode": "Search mode",
    "search_location": "Search location",
    "search_industry": "Search industry",
    "search_tech_stack": "Search tech stack",
    "intent_explanation": "Why this intent",
    # Controls of forms other than a lead's fields (bulk actions, mostly).
    "selection": "Rows",
    "list_id": "List",
    "list_name": "New list",
    "assigned_to": "Owner",
}


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field) or humanize(field)


def errors_sentence(errors: dict) -> str:
    """ValidationFailed's errors for a flash: "Email: must be …; Tags: …"."""
    return "; ".join(f"{field_label(field)}: {reason}" for field, reason in errors.items())


def register_filters(app: Flask) -> None:
    app.jinja_env.globals["field_label"] = field_label
    app.jinja_env.globals["errors_sentence"] = errors_sentence
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["humanize"] = humanize
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def isolated(text) -> str:
    """Typed text set inside a sentence of plain text (a flash, a toast, a JSON message):
    first-strong isolates keep a right-to-left override from turning the sentence around."""
    return f"\u2068{text}\u2069"
