"""Settings → Forms (admins)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("forms_settings", __name__, url_prefix="/settings/forms")
