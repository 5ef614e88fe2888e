"""Jinja filters and globals."""

from __future__ import annotations

from datetime import datetime
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


def humanize(value: str | None) -> str:
    return (value or "").replace("_", " ").capitalize()


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["humanize"] = humanize
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
