"""My Leads as a board by status; a card dragged (or moved with its menu) to another
column changes the lead's status through the same rules as the lead page's status bar
(lead_work.change_status_or_add_note: closed_at, the activity with its note, the event)."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request, url_for
from flask_login import current_user, login_required

from webapp.blueprints.my_leads_view import (
    is_fragment_request,
    page_context,
    render_view,
    request_filter,
)
from webapp.extensions import db
from webapp.models import Lead
from webapp.models.leads import STATUSES
from webapp.services.errors import ValidationFailed
from webapp.services.leads.board import PER_COLUMN, board_of_leads
from webapp.services.leads.changes import change_status_or_add_note
from webapp.templating import errors_sentence, humanize, isolated
from webapp.tenancy import get_scoped_or_404

bp = Blueprint("leads_board", __name__, url_prefix="/leads/board")


@bp.get("")
@login_required
def index():
    lead_filter = request_filter()
    columns = board_of_leads(
        db.session, lead_filter, g.workspace.id, current_user.id, g.workspace.timezone
    )
    context = {
        **page_context(lead_filter, "leads_board.index", "board", not is_fragment_request()),
        "board": columns,
        "per_column": PER_COLUMN,
        "all_statuses": STATUSES,
    }
    return render_view("leads/board.html", context, "leads_board.index", lead_filter)


@bp.post("/<lead_id>/status")
@login_required
def move(lead_id):
    """A card's move: JSON for the board's script, 422 with the reason when refused."""
    lead = get_scoped_or_404(Lead, lead_id)
    status = request.form.get("status", "")
    try:
        outcome = change_status_or_add_note(
            db.session, lead, status, current_user.id, request.form.get("note")
        )
    except ValidationFailed as exc:
        db.session.rollback()
        return jsonify({"error": errors_sentence(exc.errors), "errors": exc.errors}), 422
    db.session.commit()
    messages = {
        "status": f"{isolated(lead.display_name)} moved to {humanize(lead.status)}.",
        "note": "Status unchanged; note added.",
    }
    return jsonify(
        {
            "status": lead.status,
            "outcome": outcome,
            "message": messages.get(outcome, "Nothing changed."),
            "lead_url": url_for("lead.show", lead_id=lead.id),
        }
    )
