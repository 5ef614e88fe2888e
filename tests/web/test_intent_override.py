"""Overriding a lead's computed intent: marked, audited, the computed value kept beside it,
the score in the chosen intent's band; inline edits take the same path."""

from __future__ import annotations

from tests.factories import signed_in
from tests.helpers import activities
from webapp.models import AuditLog
from webapp.services.pipeline.discovery import intent_data_for
from webapp.services.pipeline.scoring import intent_for

SIGNALS = [
    {"signal_type": "Company researching topic", "signal_strength": "high",
     "detected_at": "2026-01-22T10:30:00Z", "source": "DataShopper"},
    {"signal_type": "Attended webinar", "signal_strength": "medium",
     "detected_at": "2026-01-21T10:30:00Z", "source": "DataShopper"},
]  # fmt: skip


def _scored_lead(db, factory, workspace):
    computed = intent_for(SIGNALS, {})
    lead = factory.lead(
        workspace, type="company", company_name="Acme Corp", company_domain="acme.com",
        intent=computed.intent, lead_score=computed.score,
        intent_explanation=computed.explanation,
    )  # fmt: skip
    lead.intent_data = intent_data_for(computed)
    db.session.commit()
    return lead


def test_the_lead_page_shows_signals_and_the_explanation(client, db, factory):
    workspace, _ = signed_in(client, factory, "rep")
    lead = _scored_lead(db, factory, workspace)
    page = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert 'id="lead-intent"' in page
    assert "warm: 1 high, 1 medium signals — company researching topic, attended webinar" in page
    assert "Attended webinar" in page and "DataShopper" in page
    assert "Overridden" not in page
    assert "Why this intent" not in page  # the explanation is computed, not typed


def test_an_override_is_marked_audited_and_keeps_the_computed_intent(client, db, factory):
    workspace, user = signed_in(client, factory, "rep", name="Rita Rep")
    lead = _scored_lead(db, factory, workspace)
    assert (lead.intent, lead.lead_score) == ("warm", 45)
    response = client.post_form(f"/pipeline/leads/{lead.id}/intent", {"intent": "hot"})
    assert response.status_code == 302
    db.session.refresh(lead)
    assert lead.intent == "hot" and 70 <= lead.lead_score <= 100  # never "hot · 45"
    assert lead.intent_data["computed_intent"] == "warm"
    assert lead.intent_data["override"]["by"] == str(user.id)
    assert lead.intent_data["override"]["at"]
    page = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "Overridden by <bdi>Rita Rep</bdi>" in page and "computed: <strong>Warm</strong>" in page
    header = page[page.index('class="lead-intent') :]
    assert header.index("Overridden") < header.index("computed: Warm") < header.index("</dd>")
    audit = db.session.execute(
        db.select(AuditLog).where(AuditLog.action == "lead.intent_overridden")
    ).scalar_one()
    assert audit.user_id == user.id and audit.object_id == str(lead.id)
    assert audit.details["computed_intent"] == "warm"
    assert len(activities(db, lead, "intent_overridden")) == 1

    client.post_form(f"/pipeline/leads/{lead.id}/intent", {"intent": "cold"})
    db.session.refresh(lead)
    assert (lead.intent, lead.lead_score) == ("cold", 39)
    client.post_form(f"/pipeline/leads/{lead.id}/intent", {"intent": "computed"})
    db.session.refresh(lead)
    assert (lead.intent, lead.lead_score) == ("warm", 45)
    assert "override" not in lead.intent_data
    actions = db.session.execute(db.select(AuditLog.action)).scalars().all()
    assert actions.count("lead.intent_override_removed") == 1


def test_inline_intent_edits_take_the_override_path(client, db, factory):
    workspace, _ = signed_in(client, factory, "rep")
    lead = _scored_lead(db, factory, workspace)
    response = client.htmx("POST", f"/leads/{lead.id}/fields/intent", data={"value": "cold"})
    assert response.status_code == 200
    db.session.refresh(lead)
    assert lead.intent == "cold" and lead.lead_score <= 39
    assert lead.intent_data["override"]["intent"] == "cold"
    assert lead.intent_data["computed_intent"] == "warm"
    assert (
        db.session.execute(db.select(AuditLog).where(AuditLog.action == "lead.intent_overridden"))
        .scalar_one()
        .ip_address
    )
    bad = client.htmx("POST", f"/leads/{lead.id}/fields/intent", data={"value": "lukewarm"})
    assert bad.status_code == 422


def test_the_explanation_and_score_are_not_typed_in(client, db, factory):
    workspace, _ = signed_in(client, factory, "admin")
    lead = _scored_lead(db, factory, workspace)
    for field in ("intent_explanation", "lead_score"):
        assert client.get(f"/leads/{lead.id}/fields/{field}/edit").status_code == 404
        response = client.post_form(f"/leads/{lead.id}/fields/{field}", {"value": "9"})
        assert response.status_code == 404
    db.session.refresh(lead)
    assert lead.lead_score == 45


def test_another_workspaces_lead_cannot_be_overridden(client, db, factory):
    signed_in(client, factory, "admin")
    other = _scored_lead(db, factory, factory.workspace())
    response = client.post_form(f"/pipeline/leads/{other.id}/intent", {"intent": "hot"})
    assert response.status_code == 404
    assert (
        client.raw.post(f"/pipeline/leads/{other.id}/intent", data={"intent": "hot"}).status_code
        == 400
    )
    db.session.refresh(other)
    assert other.intent == "warm"
