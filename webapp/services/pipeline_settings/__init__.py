"""A workspace's pipeline settings: providers, delivery channels and platform routes.

Services only: they validate and stage changes; the caller commits and audits. Keys and the
Slack webhook URL are write-only: forms leave them unchanged unless a new one is typed or
"clear" is asked; `mask_key` and `mask_secret_url` are the only way they are shown.
"""

from webapp.services.pipeline_settings.delivery import (
    delivery_settings,
    update_delivery_settings,
)
from webapp.services.pipeline_settings.platforms import (
    create_platform_route,
    delete_platform_route,
    ensure_platform_routes,
    platform_route_for,
    platform_routes,
    update_platform_route,
)
from webapp.services.pipeline_settings.providers import (
    mask_key,
    provider_settings,
    save_provider_setting,
    test_provider_connection,
)
from webapp.services.pipeline_settings.urls import mask_secret_url

__all__ = [
    "create_platform_route",
    "delete_platform_route",
    "delivery_settings",
    "ensure_platform_routes",
    "mask_key",
    "mask_secret_url",
    "platform_route_for",
    "platform_routes",
    "provider_settings",
    "save_provider_setting",
    "test_provider_connection",
    "update_delivery_settings",
    "update_platform_route",
]
