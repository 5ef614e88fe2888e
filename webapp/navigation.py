"""The sidebar's sections: one list, in order. A later section joins by adding a line.

An item shows only once its endpoint exists (a blueprint not merged yet is simply not
listed), and admin-only items only to admins. Building the list reads nothing from the
database: the shell adds no query to any page.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g, request


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    icon: str  # a name in templates/_icons.html
    group: str = "Work"
    admin_only: bool = False
    # Blueprints whose pages belong to this section (marked current there).
    blueprints: tuple[str, ...] = ()


LEAD_BLUEPRINTS = ("leads", "leads_board", "lead", "new_lead")
NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(
        "leads.index", "Leads", "users", blueprints=("leads", "leads_board", "lead", "new_lead")
    ),
    NavItem("contacts.index", "Contacts", "contact", blueprints=("contacts",)),
    NavItem("accounts.index", "Accounts", "building", blueprints=("accounts",)),
    NavItem("lists.index", "Lists", "list", blueprints=("lists",)),
    NavItem("duplicates.index", "Duplicates", "copy", blueprints=("duplicates",)),
    NavItem("imports.index", "Imports", "upload", blueprints=("imports",)),
    NavItem("campaigns.index", "Campaigns", "megaphone", blueprints=("campaigns",)),
    NavItem("pipeline_dashboard.index", "Dashboard", "chart", group="Pipeline"),
    NavItem("pipeline.queries", "Queries", "filter", group="Pipeline"),
    NavItem("pipeline.discover_page", "Discover", "search", group="Pipeline"),
    NavItem("pipeline.signals", "Signals", "activity", group="Pipeline"),
    NavItem("pipeline_dashboard.trends", "Trends", "trend", group="Pipeline"),
    NavItem(
        "pipeline_dashboard.schedules", "Schedules", "clock", group="Pipeline", admin_only=True
    ),
    NavItem("core_pages.companies", "Companies", "building", group="Reference"),
    NavItem("core_pages.people", "People", "contact", group="Reference"),
    NavItem(
        "target_clients.index",
        "Target clients",
        "inbox",
        group="Reference",
        admin_only=True,
        blueprints=("target_clients",),
    ),  # fmt: skip
    NavItem("jobs.index", "Jobs", "activity", group="Workspace", blueprints=("jobs",)),
    NavItem(
        "settings.index",
        "Settings",
        "settings",
        group="Workspace",
        blueprints=("settings", "forms_settings", "api_tokens_settings", "webhooks_settings"),
    ),
    NavItem(
        "audit.index",
        "Audit log",
        "shield",
        group="Workspace",
        admin_only=True,
        blueprints=("audit",),
    ),  # fmt: skip
)


def endpoint_exists(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def nav_items() -> list[tuple[NavItem, bool]]:
    """The sections this user may open, each with whether it is the current one."""
    membership = getattr(g, "membership", None)
    is_admin = bool(membership and membership.is_admin)
    shown = []
    for item in NAV_ITEMS:
        if item.admin_only and not is_admin:
            continue
        if not endpoint_exists(item.endpoint):
            continue
        current = request.endpoint == item.endpoint or request.blueprint in item.blueprints
        shown.append((item, current))
    return shown


def register_navigation(app: Flask) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["endpoint_exists"] = endpoint_exists
    app.jinja_env.tests["endpoint_exists"] = endpoint_exists
