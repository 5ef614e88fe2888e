"""Public lead capture: POST /api/v1/leads and hosted forms /f/<key>."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public", __name__)
