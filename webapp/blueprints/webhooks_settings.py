"""Settings → Webhooks (admins)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("webhooks_settings", __name__, url_prefix="/settings/webhooks")
