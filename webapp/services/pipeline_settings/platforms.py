"""The industry → platform map: one route per industry, the `Default` route for the rest."""

from __future__ import annotations

import os
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models.providers import (
    DEFAULT_INDUSTRY,
    DEFAULT_PLATFORMS,
    PlatformRoute,
    ProviderSetting,
)
from webapp.services.errors import Conflict, ValidationFailed, has_nul
from webapp.services.pipeline_settings.urls import clean_key, clean_url
from webapp.services.races import inserted_first
from webapp.services.scoping import get_owned

MAX_BATCH_SIZE = 1000
MAX_RATE_LIMIT = 10_000
_NAME_LIMIT = 100


def _default_url(base_url: str | None, platform_name: str) -> str | None:
    base = (base_url or os.environ.get("PLATFORMS_API_URL", "")).strip().rstrip("/")
    return f"{base}/{platform_name}" if base else None


def ensure_platform_routes(
    session: Session, workspace_id: uuid.UUID, base_url: str | None = None
) -> list[PlatformRoute]:
    """Add the seed's six routes that the workspace lacks, at `{base}/{platform}`: the base
    from the argument, else the workspace's "platforms" provider, else PLATFORMS_API_URL
    (no URL if none). Existing routes are kept."""
    existing = {
        r.industry.lower()
        for r in session.scalars(
            select(PlatformRoute).where(PlatformRoute.workspace_id == workspace_id)
        )
    }
    missing = [i for i in DEFAULT_PLATFORMS if i.lower() not in existing]
    if not missing:
        return []
    if base_url is None:
        base_url = session.scalar(
            select(ProviderSetting.base_url).where(
                ProviderSetting.workspace_id == workspace_id,
                ProviderSetting.provider == "platforms",
            )
        )
    added = [
        PlatformRoute(
            workspace_id=workspace_id,
            industry=industry,
            platform_name=DEFAULT_PLATFORMS[industry],
            url=_default_url(base_url, DEFAULT_PLATFORMS[industry]),
        )
        for industry in missing
    ]
    # Two workers seeding one new workspace at once: the loser keeps the winner's rows.
    return added if inserted_first(session, added) else []


def platform_routes(session: Session, workspace_id: uuid.UUID) -> list[PlatformRoute]:
    """Every route of the workspace (seeded on first use), the Default one last."""
    ensure_platform_routes(session, workspace_id)
    routes = session.scalars(
        select(PlatformRoute)
        .where(PlatformRoute.workspace_id == workspace_id)
        .order_by(PlatformRoute.industry)
    ).all()
    return sorted(routes, key=lambda r: (r.is_default, r.industry.lower()))


def platform_route_for(
    session: Session, workspace_id: uuid.UUID, industry: str | None
) -> PlatformRoute:
    """The active route for `industry` (case-insensitive), else the Default route.

    The Default route is answered even when inactive: the caller checks `route.active`
    (inactive = uploads for these leads are off) and `route.url` (none = not configured).
    """
    ensure_platform_routes(session, workspace_id)
    wanted = (industry or "").strip().lower()
    if wanted and wanted != DEFAULT_INDUSTRY.lower():
        route = session.scalar(
            select(PlatformRoute).where(
                PlatformRoute.workspace_id == workspace_id,
                func.lower(PlatformRoute.industry) == wanted,
                PlatformRoute.active.is_(True),
            )
        )
        if route is not None:
            return route
    return session.scalar(
        select(PlatformRoute).where(
            PlatformRoute.workspace_id == workspace_id,
            PlatformRoute.industry == DEFAULT_INDUSTRY,
        )
    )


def _whole(value, field: str, low: int, high: int, errors: dict) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors[field] = "must be a whole number"
        return None
    if not low <= number <= high:
        errors[field] = f"must be between {low} and {high}"
        return None
    return number


def _name(value, field: str, errors: dict) -> str | None:
    text = (value or "").strip()
    if not text:
        errors[field] = "is required"
    elif len(text) > _NAME_LIMIT or has_nul(text):
        errors[field] = f"must be at most {_NAME_LIMIT} characters"
    else:
        return text
    return None


def _apply(route: PlatformRoute, data: dict, allow_private: bool, errors: dict) -> None:
    platform = _name(data.get("platform_name"), "platform_name", errors)
    url = key = None
    try:
        url = clean_url(data.get("url"), allow_private, required=False)
    except ValueError as exc:
        errors["url"] = str(exc)
    try:
        key = clean_key(data.get("api_key"), route.api_key)
    except ValueError as exc:
        errors["api_key"] = str(exc)
    batch = _whole(data.get("batch_size", route.batch_size or 50), "batch_size", 1,
                   MAX_BATCH_SIZE, errors)  # fmt: skip
    rate = _whole(data.get("rate_limit_per_minute", route.rate_limit_per_minute or 60),
                  "rate_limit_per_minute", 1, MAX_RATE_LIMIT, errors)  # fmt: skip
    if errors:
        raise ValidationFailed(errors)
    route.platform_name = platform
    route.url = url
    if data.get("clear_key"):
        route.api_key = None
    elif key:
        route.api_key = key
    route.batch_size = batch
    route.rate_limit_per_minute = rate
    route.active = bool(data.get("active"))


def update_platform_route(
    session: Session, workspace_id: uuid.UUID, route_id, data: dict, allow_private: bool = False
) -> PlatformRoute:
    """Change a route (platform_name, url, api_key — blank keeps it —, clear_key, batch_size,
    rate_limit_per_minute, active). The industry of a route is fixed; delete and add instead."""
    route = get_owned(session, PlatformRoute, workspace_id, route_id)
    _apply(route, data, allow_private, {})
    return route


def create_platform_route(
    session: Session, workspace_id: uuid.UUID, data: dict, allow_private: bool = False
) -> PlatformRoute:
    errors: dict[str, str] = {}
    industry = _name(data.get("industry"), "industry", errors)
    if industry and session.scalar(
        select(PlatformRoute.id).where(
            PlatformRoute.workspace_id == workspace_id,
            func.lower(PlatformRoute.industry) == industry.lower(),
        )
    ):
        errors["industry"] = "already has a route"
    route = PlatformRoute(workspace_id=workspace_id, industry=industry or "")
    _apply(route, data, allow_private, errors)
    session.add(route)
    session.flush()
    return route


def delete_platform_route(session: Session, workspace_id: uuid.UUID, route_id) -> PlatformRoute:
    route = get_owned(session, PlatformRoute, workspace_id, route_id)
    if route.is_default:
        raise Conflict("The Default route takes every other industry; it cannot be deleted.")
    session.delete(route)
    return route
