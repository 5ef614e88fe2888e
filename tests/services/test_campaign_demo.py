"""The demo workspace has a campaign to try: active, two lists, some attempts."""

from webapp.models import Campaign, CampaignLeadList
from webapp.models.campaigns import CampaignLeadAttempt


def test_demo_load_makes_one_active_campaign_with_two_lists_and_attempts(app, db):
    runner = app.test_cli_runner()
    for _ in range(2):  # loading again adds nothing
        result = runner.invoke(args=["demo", "load", "--leads", "120"])
        assert result.exit_code == 0, result.output
    [campaign] = db.session.execute(db.select(Campaign)).scalars().all()
    assert (campaign.name, campaign.status) == ("Year End Appeal", "active")
    links = db.session.execute(
        db.select(CampaignLeadList).order_by(CampaignLeadList.priority)
    ).scalars()
    links = list(links)
    assert [link.priority for link in links] == [1, 2]
    assert links[0].total_leads == 40 and links[1].total_leads > 0
    attempts = db.session.execute(db.select(CampaignLeadAttempt)).scalars().all()
    assert len(attempts) == 5
    assert sum(link.successful_leads for link in links) == 2
