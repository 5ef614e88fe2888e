"""A person overriding a lead's computed intent (the lead page's form, inline edit).

The override is kept beside the computed value, never instead of it:
`intent_data.computed_intent` (and `computed_score`) stay what the signals say,
`intent_data.override` = {intent, by, by_name, at} says who chose otherwise and when.
The lead's `intent` is the override and its `lead_score` moves into the override's band
(scoring.score_in_band: the computed score if it fits, else the band's nearest edge),
so score and intent always agree. Choosing "computed" removes the override. Each
change is a timeline entry and an audit log entry.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from webapp.models import Lead, User
from webapp.models.base import utcnow
from webapp.services.audit import record_audit
from webapp.services.errors import ValidationFailed
from webapp.services.leads.timeline import add_activity
from webapp.services.pipeline.scoring import BANDS, score_in_band

CHOICES = ("hot", "warm", "cold")
CLEAR = ("computed", "unrated", "")


def overridden(lead: Lead) -> dict | None:
    return (lead.intent_data or {}).get("override")


def override_intent(
    session: Session,
    lead: Lead,
    chosen: str | None,
    performed_by_id: uuid.UUID | None,
    ip_address: str | None = None,
) -> bool:
    """Set (hot/warm/cold) or clear ("computed") a person's intent; False if nothing changed."""
    chosen = (chosen or "").strip().lower()
    if chosen not in CHOICES + CLEAR:
        raise ValidationFailed({"intent": f"must be one of {', '.join(CHOICES)} or computed"})
    data = dict(lead.intent_data or {})
    computed = data.get("computed_intent")
    computed_score = data.get("computed_score")
    before = {
        "intent": lead.intent,
        "lead_score": lead.lead_score,
        "override": data.get("override"),
    }
    if chosen in CLEAR:
        if "override" not in data and (lead.intent == (computed or "unrated")):
            return False
        data.pop("override", None)
        intent = computed or "unrated"
        score = computed_score if computed_score is not None else lead.lead_score
        if computed:
            data["score"] = computed
        action, words = "lead.intent_override_removed", "Intent back to the computed value"
    else:
        if lead.intent == chosen and data.get("override"):
            return False
        by = session.get(User, performed_by_id) if performed_by_id else None
        data["override"] = {
            "intent": chosen,
            "by": str(performed_by_id) if performed_by_id else None,
            "by_name": by.display_name if by else None,
            "at": utcnow().isoformat().replace("+00:00", "Z"),
        }
        data["score"] = chosen
        data.setdefault("computed_intent", None)
        intent = chosen
        base = computed_score if computed_score is not None else lead.lead_score
        score = score_in_band(chosen, base)
        action = "lead.intent_overridden"
        words = f"Intent set to {chosen} by hand (computed: {computed or 'none'})"
    lead.intent_data = data
    lead.intent = intent
    if intent in BANDS:
        lead.lead_score = score_in_band(intent, score)
    lead.updated_at = utcnow()
    details = {
        "old": before,
        "new": {"intent": lead.intent, "lead_score": lead.lead_score},
        "computed_intent": computed,
    }
    add_activity(session, lead, "intent_overridden", words, performed_by_id, details)
    record_audit(
        session, lead.workspace_id, performed_by_id, action, "lead", lead.id, details, ip_address
    )
    return True
