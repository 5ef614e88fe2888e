"""Pipeline → Dashboard, Trends and Schedules: the figures, and who may see what."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import signed_in
from webapp.jobs.schedules import run_tick
from webapp.services import schedules as svc
from webapp.services.pipeline_metrics.dashboard import pipeline_dashboard
from webapp.services.pipeline_metrics.trends import compute_weekly_trends, direction_of

AFTER = ("discovery_query_id", "intent", "enrichment_status", "search_query")


def a_lead(db, factory, workspace, created_at, **fields):
    """A lead made as any other, then given pipeline columns the input schema does not take."""
    later = {k: fields.pop(k) for k in AFTER if k in fields}
    lead = factory.lead(workspace, **fields)
    for name, value in later.items():
        setattr(lead, name, value)
    lead.created_at = created_at
    db.session.commit()
    return lead


def test_dashboard_figures_come_from_the_window(db, factory):
    workspace, other = factory.workspace(), factory.workspace()
    now = datetime.now(UTC)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    query = factory.discovery_query(workspace, name="AI tools")
    hot = a_lead(db, factory, workspace, today, intent="hot", discovery_query_id=query.id)
    a_lead(
        db, factory, workspace, today - timedelta(days=1), intent="hot", discovery_query_id=query.id
    )
    warm = a_lead(db, factory, workspace, today - timedelta(days=1), intent="warm")
    a_lead(db, factory, workspace, today - timedelta(days=2), intent="cold", search_query="crm")
    a_lead(db, factory, workspace, today - timedelta(days=40), intent="hot")  # outside 30 days
    a_lead(db, factory, other, today, intent="hot")  # another workspace
    for lead, status, seconds in ((hot, "completed", 4), (warm, "completed", 8)):
        lead.enrichment_status = status
        lead.enrichment_started_at = now - timedelta(seconds=seconds)
        lead.enrichment_completed_at = now
    db.session.commit()
    failed = a_lead(db, factory, workspace, today, enrichment_status="failed")
    for _ in range(3):
        factory.lead_contact(hot)
    factory.lead_contact(warm)
    factory.lead_delivery(hot, "email")
    factory.lead_delivery(hot, "slack", status="failed")
    factory.lead_delivery(warm, "email")
    factory.lead_delivery(warm, "webhook", status="skipped")
    factory.lead_delivery(warm, "slack", status="unknown")  # a stopped worker's send: no success
    factory.lead_delivery(failed, "slack", status="sending")  # under way: not counted yet
    factory.platform_upload(workspace, [hot, warm], platform="tech-platform")
    factory.platform_upload(workspace, [failed], platform="tech-platform", status="failed")
    factory.platform_upload(other, [failed], platform="tech-platform")
    factory.job_run(workspace, kind="pipeline.enrich", status="failed")
    factory.job_run(workspace, kind="pipeline.enrich", status="failed")
    factory.job_run(workspace, kind="pipeline.deliver", status="succeeded")
    factory.job_run(other, kind="pipeline.upload", status="failed")

    figures = pipeline_dashboard(db.session, workspace.id, ZoneInfo("UTC"), 30, now)

    assert figures.per_day[-1] == (today.date(), 2)  # hot + failed
    assert figures.per_day[-2] == (today.date() - timedelta(days=1), 2)
    assert figures.total_leads == 5 and len(figures.per_day) == 30
    assert figures.per_query == [("AI tools", 2), ("crm", 1)]
    intent = figures.intent
    assert (intent.hot_count, intent.warm_count, intent.cold_count, intent.total_count) == (
        2, 1, 1, 5,
    )  # fmt: skip
    assert (intent.hot_percentage, intent.warm_percentage) == (40.0, 20.0)
    assert intent.unscored_count == 1 and intent.percentage("unscored") == 20.0  # adds to 100
    enrichment = figures.enrichment
    assert (enrichment.completed, enrichment.failed) == (2, 1)
    assert enrichment.success_rate == pytest.approx(66.7)
    assert enrichment.average_seconds == pytest.approx(6.0, abs=0.01)
    assert enrichment.contacts_per_lead == 2.0
    [tech] = figures.uploads  # one accepted batch logged, no lead marked uploaded here
    assert (tech.name, tech.batches, tech.failed_batches, tech.leads_sent) == (
        "tech-platform", 2, 1, 3,
    )  # fmt: skip
    channels = {r.name: (r.succeeded, r.failed, r.skipped) for r in figures.deliveries}
    assert channels == {"email": (2, 0, 0), "slack": (0, 2, 0), "webhook": (0, 0, 1)}
    assert figures.failures == [("pipeline.enrich", 2)]


def _uploaded(db, leads, platform, at):
    for lead in leads:
        lead.uploaded, lead.uploaded_at, lead.upload_platform = True, at, platform
    db.session.commit()


def test_uploads_count_leads_and_batches_apart(client, db, factory):
    """Per platform: leads uploaded of leads sent, the batches beside them, rate per lead."""
    workspace, _ = signed_in(client, factory, role="rep")
    now = datetime.now(UTC)
    leads = [a_lead(db, factory, workspace, now, intent="hot") for _ in range(7)]
    # tech: a batch of 3 (the platform took 2, refused 1), then a failed batch of 2 that
    # a later batch of the same 2 uploaded: 7 leads sent in 3 batches, 4 uploaded.
    factory.platform_upload(workspace, leads[:3], platform="tech-platform", created_at=now)
    _uploaded(db, leads[:2], "tech-platform", now)
    factory.platform_upload(
        workspace, leads[3:5], platform="tech-platform", status="failed", created_at=now
    )
    factory.platform_upload(workspace, leads[3:5], platform="tech-platform", created_at=now)
    _uploaded(db, leads[3:5], "tech-platform", now)
    # finance: one failed batch of 2, nothing uploaded.
    factory.platform_upload(
        workspace, leads[5:], platform="finance-platform", status="failed", created_at=now
    )
    factory.platform_upload(factory.workspace(), leads, platform="tech-platform")  # not ours

    figures = pipeline_dashboard(db.session, workspace.id, ZoneInfo("UTC"), 30, now)
    got = {
        r.name: (r.leads_uploaded, r.leads_not_uploaded, r.leads_sent, r.batches,
                 r.failed_batches, r.rate)
        for r in figures.uploads
    }  # fmt: skip
    assert got == {
        "tech-platform": (4, 3, 7, 3, 1, 57.1),
        "finance-platform": (0, 2, 2, 1, 1, 0.0),
    }
    totals = figures.upload_totals
    assert (totals.leads_uploaded, totals.leads_sent, totals.batches, totals.rate) == (
        4, 9, 4, 44.4,
    )  # fmt: skip

    html = client.get("/pipeline?days=7").get_data(as_text=True)
    assert (
        "4 leads uploaded of 9 leads sent, in 4 batches (2 failed); "
        "success rate 44.4 % of leads sent."
    ) in html
    row = html[html.index('data-platform="tech-platform"') :].split("</tr>")[0]
    assert "data-leads-uploaded>4<" in row and "data-leads-not-uploaded>3<" in row
    assert "data-batches>3 (1)<" in row and "57.1 %" in row
    assert (
        "Leads uploaded" in html and "Batches (failed)" in html and "Success rate (leads)" in html
    )


def test_leads_per_day_follow_the_workspace_time_zone(db, factory):
    workspace = factory.workspace()
    workspace.timezone = "Asia/Tokyo"
    db.session.commit()
    now = datetime(2027, 6, 10, 12, 0, tzinfo=UTC)  # 21:00 on 06-10 in Tokyo
    a_lead(db, factory, workspace, datetime(2027, 6, 9, 16, 0, tzinfo=UTC))  # 01:00 06-10 Tokyo
    a_lead(db, factory, workspace, datetime(2027, 6, 9, 14, 0, tzinfo=UTC))  # 23:00 06-09 Tokyo
    figures = pipeline_dashboard(db.session, workspace.id, ZoneInfo("Asia/Tokyo"), 7, now)
    assert figures.per_day[-1] == (date(2027, 6, 10), 1)
    assert figures.per_day[-2] == (date(2027, 6, 9), 1)


def test_dashboard_page_shows_the_breakdown_and_chart(client, db, factory):
    workspace, _ = signed_in(client, factory, role="rep")
    a_lead(db, factory, workspace, datetime.now(UTC), intent="hot")
    a_lead(db, factory, workspace, datetime.now(UTC), intent="cold")
    a_lead(db, factory, workspace, datetime.now(UTC), intent="unrated")
    other = factory.workspace()
    a_lead(db, factory, other, datetime.now(UTC), intent="hot")
    page = client.get("/pipeline?days=7")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="stat-hot">1<' in html and 'id="stat-total">3<' in html
    assert 'id="stat-hot-pct">33.3 %' in html and 'id="stat-cold-pct">33.3 %' in html
    assert "Not scored" in html and 'id="stat-unscored-pct">33.3 %' in html
    assert html.count('class="bar"') == 7
    assert client.get("/pipeline?days=abc").status_code == 200  # falls back to 30 days


def test_trends_numbers_and_direction(db, factory):
    workspace = factory.workspace()
    sunday = datetime(2027, 6, 13, 3, 0, tzinfo=UTC)  # measures 06-06 .. 06-13
    week = datetime(2027, 6, 8, 12, 0, tzinfo=UTC)
    before = week - timedelta(days=7)
    query = factory.discovery_query(workspace, topic="AI automation")
    plan = {  # topic: (leads last week, leads the week before)
        "AI automation": (12, 10),  # +20 %: up
        "crm": (9, 10),  # -10 %: down (the threshold counts)
        "erp": (10, 10),  # 0 %: stable
        "new topic": (3, 0),  # nothing before: up, no percentage
        "gone": (0, 4),  # -100 %: down
    }
    for topic, (now_count, then_count) in plan.items():
        fields = {"discovery_query_id": query.id} if topic == "AI automation" else {}
        fields.setdefault("search_query", topic if topic != "AI automation" else "ai stuff")
        for _ in range(now_count):
            a_lead(db, factory, workspace, week, **fields)
        for _ in range(then_count):
            a_lead(db, factory, workspace, before, **fields)
    a_lead(db, factory, workspace, sunday, search_query="crm")  # the new week: not counted
    trends = compute_weekly_trends(db.session, workspace.id, sunday)
    db.session.commit()
    got = {t.topic: (t.volume, t.previous_volume, t.change_pct, t.direction) for t in trends}
    assert got == {
        "AI automation": (12, 10, 20.0, "up"),
        "crm": (9, 10, -10.0, "down"),
        "erp": (10, 10, 0.0, "stable"),
        "new topic": (3, 0, None, "up"),
        "gone": (0, 4, -100.0, "down"),
    }
    assert {t.week_start for t in trends} == {date(2027, 6, 6)}
    again = compute_weekly_trends(db.session, workspace.id, sunday)  # a rerun replaces
    db.session.commit()
    assert len(again) == 5
    assert direction_of(109, 100) == (9.0, "stable") and direction_of(110, 100) == (10.0, "up")


def test_trends_page_and_measure_now(client, db, factory):
    workspace, _ = signed_in(client, factory, role="admin")
    factory.topic_trend(workspace, topic="Mine <b>", volume=7, week_start=date(2027, 1, 3))
    factory.topic_trend(factory.workspace(), topic="Theirs", week_start=date(2027, 1, 3))
    html = client.get("/pipeline/trends").get_data(as_text=True)
    assert "Mine &lt;b&gt;" in html and "Theirs" not in html and "▲ Up" in html
    a_lead(db, factory, workspace, datetime.now(UTC) - timedelta(days=7), search_query="x")
    assert client.post_form("/pipeline/trends/run").status_code == 302


def test_reps_see_figures_but_not_schedules(client, db, factory):
    signed_in(client, factory, role="rep")
    assert client.get("/pipeline").status_code == 200
    assert client.get("/pipeline/trends").status_code == 200
    assert client.get("/pipeline/schedules").status_code == 403
    assert client.post_form("/pipeline/trends/run").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    for path in ("/pipeline", "/pipeline/trends", "/pipeline/schedules"):
        assert client.get(path).status_code == 302


def test_schedules_page_shows_last_and_next_run(client, db, factory):
    workspace, _ = signed_in(client, factory, role="admin")
    workspace.timezone = "Asia/Tokyo"
    db.session.commit()
    trends = next(s for s in svc.WORKSPACE_SCHEDULES if s.name == "trends")
    other = factory.workspace()
    run_tick(datetime.now(UTC) + timedelta(days=8), (trends,))  # both workspaces' last Sunday
    html = client.get("/pipeline/schedules").get_data(as_text=True)
    row = html[html.index('data-schedule="trends"') :]
    row = row[: row.index("</tr>")]
    assert "Never" not in row and "run-status-" in row
    assert "0 3 * * 0" in row and "Asia/Tokyo" in row
    discovery = html[html.index('data-schedule="discovery"') :]
    assert "Never" in discovery[: discovery.index("</tr>")]
    assert other.id  # its claim exists but is not shown here
    assert html.count("run-status-") == 1


def test_credit_reset_runs_at_local_midnight(db, factory):
    tokyo = factory.workspace()
    tokyo.timezone = "Asia/Tokyo"
    tokyo.daily_credits_used = 40
    db.session.commit()
    reset = next(s for s in svc.WORKSPACE_SCHEDULES if s.name == "credit_reset")
    run_tick(datetime(2027, 6, 1, 14, 59, tzinfo=UTC), (reset,))  # 23:59 Tokyo: last night's
    tokyo.daily_credits_used = 40
    db.session.commit()
    assert run_tick(datetime(2027, 6, 1, 14, 59, 30, tzinfo=UTC), (reset,)) == []
    db.session.refresh(tokyo)
    assert tokyo.daily_credits_used == 40  # not midnight yet: nothing runs again
    [due] = run_tick(datetime(2027, 6, 1, 15, 0, tzinfo=UTC), (reset,))  # 00:00 Tokyo
    assert due.period_start == datetime(2027, 6, 1, 15, 0, tzinfo=UTC)
    db.session.expire_all()
    if not client_has_redis(db):
        assert db.session.get(type(tokyo), tokyo.id).daily_credits_used == 0


def client_has_redis(db) -> bool:
    from webapp.redis_conn import get_redis

    return get_redis() is not None
