"""Settings → API tokens (admins)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api_tokens_settings", __name__, url_prefix="/settings/tokens")
