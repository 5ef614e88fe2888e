"""The demo's discovered leads carry intent signals, and their intent is what the signals say."""

from markupsafe import escape

from webapp.models import Lead, User
from webapp.services.demo import ADMIN_EMAIL, DEMO_PASSWORD
from webapp.services.pipeline.scoring import BANDS, intent_for
from webapp.services.pipeline.signals import strengths_for


def _discovered(db) -> list[Lead]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Lead).where(Lead.source == "discovery")))


def test_every_discovered_demo_lead_is_explained_by_its_signals(app, db, client):
    result = app.test_cli_runner().invoke(args=["demo", "load", "--leads", "150"])
    assert result.exit_code == 0, result.output
    leads = _discovered(db)
    assert len(leads) >= 5
    strengths = strengths_for(db.session, leads[0].workspace_id)
    for lead in leads:
        signals = lead.intent_data["signals"]
        assert signals, lead.company_name
        scored = intent_for(signals, strengths)  # the pipeline's own scoring, again
        assert (lead.intent, lead.lead_score) == (scored.intent, scored.score)
        assert lead.intent_explanation == scored.explanation == lead.intent_data["explanation"]
        assert lead.intent_data["computed_intent"] == lead.intent
        assert BANDS[lead.intent][0] <= lead.lead_score <= BANDS[lead.intent][1]
    assert {lead.intent for lead in leads} == {"hot", "warm", "cold"}

    # The lead page shows the same explanation and the signals behind it.
    hot = next(lead for lead in leads if lead.intent == "hot")
    admin = db.session.scalar(db.select(User).where(User.email == ADMIN_EMAIL))
    client.login(admin, password=DEMO_PASSWORD)
    page = client.get(f"/leads/{hot.id}").get_data(as_text=True)
    assert str(escape(hot.intent_explanation)) in page
    assert hot.intent_explanation.startswith("hot: ")
    for signal in hot.intent_data["signals"]:
        assert str(escape(signal["signal_type"])) in page


def test_loading_again_explains_a_discovered_lead_left_without_signals(app, db):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load", "--leads", "80"]).exit_code == 0
    lead = _discovered(db)[0]
    kept = {other.id: other.intent_data for other in _discovered(db) if other.id != lead.id}
    lead.intent, lead.intent_data, lead.intent_explanation = "warm", None, None
    db.session.commit()
    assert runner.invoke(args=["demo", "load", "--leads", "80"]).exit_code == 0
    leads = {other.id: other for other in _discovered(db)}
    assert leads[lead.id].intent == "warm" and leads[lead.id].intent_data["signals"]
    assert leads[lead.id].intent_explanation.startswith("warm: ")
    assert {key: leads[key].intent_data for key in kept} == kept  # the others are left alone
