"""The audit log, for admins."""

from __future__ import annotations

from flask import Blueprint, abort

from webapp.auth_session import admin_required

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.get("")
@admin_required
def index():
    abort(404)  # placeholder: the dedupe/audit helper builds this page
