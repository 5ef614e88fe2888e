"""Possible duplicates, merging two leads, and undoing a merge."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import login_required

bp = Blueprint("duplicates", __name__, url_prefix="/duplicates")


@bp.get("")
@login_required
def index():
    abort(404)  # placeholder: the dedupe helper builds this page


@bp.post("/merges/<merge_id>/undo")
@login_required
def undo_merge(merge_id):
    abort(404)  # placeholder: the dedupe helper builds this
