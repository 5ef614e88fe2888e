"""Campaigns at scale: assigning a big list, and the campaign page over its queue.

    python bench/campaigns.py [--members N] [--requests N]   (BENCH_SCALE=full: 100,000)

Loads N leads (COPY, as bench/leads_page.py does) into a fresh PostgreSQL database and
puts them all in one static list. Then, in the same run:

- assignment: the app's `assign_list` (one INSERT … SELECT of the members, the priority
  bookkeeping and the recount, committed) against the bare set-based INSERT … SELECT of
  the same members into another campaign. Goal: under 5 s for 100,000 members.
- the campaign page (`GET /campaigns/<id>`: stats, totals, the queue's first page)
  through the Flask test client, signed in, timed server side, against the bare SQL of
  its queue (the count and the first page's rows). Goal: p95 under 150 ms at 100,000
  campaign leads. A deep page (page 2,000) is timed too.
- "Work next lead": the claim (a conditional UPDATE) and its release, against a bare
  UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import _report  # noqa: E402
import leads_page  # noqa: E402

DATABASE = "leadkeeper_bench_campaigns"
QUEUE_SQL = """
SELECT cl.id, cl.status, cl.attempts, cl.next_attempt_at, l.full_name, l.company_name,
       l.phone, ll.name
FROM campaign_leads cl JOIN leads l ON l.id = cl.lead_id
LEFT JOIN lead_lists ll ON ll.id = cl.lead_list_id
WHERE cl.campaign_id = %s AND cl.status = 'new'
ORDER BY cl.list_priority, cl.next_attempt_at, cl.id LIMIT 25
"""
COUNT_SQL = (
    "SELECT count(*) FROM campaign_leads WHERE campaign_id = %s "
    "AND status IN ('new', 'queued', 'calling')"
)
BARE_INSERT = """
INSERT INTO campaign_leads (id, campaign_id, lead_id, lead_list_id, list_priority, status,
    attempts, total_talk_time, next_attempt_at, created_at, updated_at)
SELECT gen_random_uuid(), %s, m.lead_id, m.lead_list_id, 1, 'new', 0, 0, now(), now(), now()
FROM lead_list_members m WHERE m.lead_list_id = %s
"""
BARE_CLAIM = """
UPDATE campaign_leads SET locked_by_id = %s, locked_until = now() + interval '15 minutes'
WHERE id = (SELECT id FROM campaign_leads WHERE campaign_id = %s AND status = 'new'
            AND (locked_until IS NULL OR locked_until < now())
            ORDER BY list_priority, next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id
"""


def prepare(db_url: str, workspace_id: str, user_id: str) -> dict:
    """One static list of every lead, and three campaigns (app, bare SQL, claims)."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        list_id = conn.execute(
            "INSERT INTO lead_lists (id, workspace_id, name, list_type, lead_count, is_archived,"
            " created_at, updated_at) VALUES (gen_random_uuid(), %s, 'Everyone', 'static', 0,"
            " false, now(), now()) RETURNING id",
            (workspace_id,),
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO lead_list_members (id, lead_list_id, lead_id, added_at) "
            "SELECT gen_random_uuid(), %s, id, now() FROM leads",
            (list_id,),
        )
        ids = {}
        for name in ("app", "bare"):
            ids[name] = conn.execute(
                "INSERT INTO campaigns (id, workspace_id, name, status, max_attempts,"
                " is_archived, created_at, updated_at) VALUES (gen_random_uuid(), %s, %s,"
                " 'active', 3, false, now(), now()) RETURNING id",
                (workspace_id, f"Bench {name}"),
            ).fetchone()[0]
        conn.execute("VACUUM ANALYZE")
    return {"list": list_id, **ids}


def bare_assign(db_url: str, campaign_id, list_id) -> float:
    with psycopg.connect(db_url) as conn:
        started = time.perf_counter()
        conn.execute(BARE_INSERT, (campaign_id, list_id))
        conn.commit()
        return time.perf_counter() - started


def bare_queue(db_url: str, campaign_id, requests: int) -> list[float]:
    times = []
    with psycopg.connect(db_url) as conn:
        for _ in range(requests + 3):
            started = time.perf_counter()
            conn.execute(COUNT_SQL, (campaign_id,)).fetchone()
            conn.execute(QUEUE_SQL, (campaign_id,)).fetchall()
            conn.rollback()
            times.append((time.perf_counter() - started) * 1000)
    return times[3:]


def bare_claims(db_url: str, campaign_id, user_id, rounds: int) -> list[float]:
    times = []
    with psycopg.connect(db_url) as conn:
        for _ in range(rounds):
            started = time.perf_counter()
            claimed = conn.execute(BARE_CLAIM, (user_id, campaign_id)).fetchone()[0]
            conn.commit()
            times.append((time.perf_counter() - started) * 1000)
            conn.execute(
                "UPDATE campaign_leads SET locked_by_id = NULL, locked_until = NULL WHERE id = %s",
                (claimed,),
            )
            conn.commit()
    return times


def measure(db_url: str, ids: dict, user_id: str, requests: int) -> list[dict]:
    os.environ.update(
        APP_ENV="production",
        SECRET_KEY=secrets.token_hex(16),
        DATABASE_URL=db_url,
        LOG_LEVEL="WARNING",
        LOGIN_RATE_LIMIT="1000 per minute",
    )
    os.environ.pop("REDIS_URL", None)
    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import Campaign, LeadList
    from webapp.services.campaigns.assignment import assign_list
    from webapp.services.campaigns.queue import claim_next, release

    # Both measured on an empty campaign_leads: the bare rows go again before the app's run.
    baseline_assign = bare_assign(db_url, ids["bare"], ids["list"])
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("DELETE FROM campaign_leads WHERE campaign_id = %s", (ids["bare"],))
        conn.execute("VACUUM ANALYZE campaign_leads")
    app = create_app({"WTF_CSRF_ENABLED": False})
    with app.app_context():
        campaign = db.session.get(Campaign, ids["app"])
        lead_list = db.session.get(LeadList, ids["list"])
        started = time.perf_counter()
        link = assign_list(db.session, campaign, lead_list, user_id=user_id)
        db.session.commit()
        assigned = time.perf_counter() - started
        total = link.total_leads
    print(f"assigned {total:,} members: app {assigned:.2f}s, bare INSERT … SELECT "
          f"{baseline_assign:.2f}s")  # fmt: skip
    bare_assign(db_url, ids["bare"], ids["list"])  # the bare claims below need its rows
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE campaign_leads")

    page_times = leads_page.server_timed(app)
    client = app.test_client()
    login = client.post("/login", data={"email": "bench@example.com", "password": "bench-password"})
    assert login.status_code == 302, login.status_code
    rows = []
    for case, query in (("first page", ""), ("page 2,000", "?page=2000")):
        for _ in range(3):  # warm up
            client.get(f"/campaigns/{ids['app']}{query}")
        page_times.clear()
        for _ in range(requests):
            response = client.get(f"/campaigns/{ids['app']}{query}")
            assert response.status_code == 200, response.status_code
        p50, p95 = leads_page.percentiles(list(page_times))
        sql50, sql95 = leads_page.percentiles(bare_queue(db_url, ids["app"], requests))
        print(f"campaign page, {case}: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
              f"(bare queue SQL p50 {sql50:.1f}, p95 {sql95:.1f})")  # fmt: skip
        goal = "p95 < 150 ms" if case == "first page" else None
        rows.append(_report.row(f"campaign page {case} p95", p95, sql95, "ms", goal))

    claims = []
    with app.app_context():
        campaign = db.session.get(Campaign, ids["app"])
        for _ in range(requests):
            started = time.perf_counter()
            row = claim_next(db.session, campaign, user_id)
            db.session.commit()
            claims.append((time.perf_counter() - started) * 1000)
            release(db.session, row, row.locked_by_id)
            db.session.commit()
    claim50, claim95 = leads_page.percentiles(claims)
    bare50, bare95 = leads_page.percentiles(bare_claims(db_url, ids["bare"], user_id, requests))
    print(f"work next lead claim: p50 {claim50:.1f} ms, p95 {claim95:.1f} ms "
          f"(bare UPDATE … SKIP LOCKED p50 {bare50:.1f}, p95 {bare95:.1f})")  # fmt: skip
    return [
        _report.row(f"assign a {total:,}-member list", assigned, baseline_assign, "s", "< 5 s"),
        *rows,
        _report.row("work next lead claim p95", claim95, bare95, "ms"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=_report.scaled(10_000, 100_000))
    parser.add_argument("--requests", type=int, default=_report.scaled(15, 40))
    parser.add_argument("--admin-url", default=_report.admin_url())
    args = parser.parse_args()
    db_url = leads_page.fresh_database(args.admin_url, DATABASE)
    workspace_id, user_id = leads_page.load(db_url, args.members)
    ids = prepare(db_url, workspace_id, user_id)
    rows = measure(db_url, ids, user_id, args.requests)
    _report.emit(f"campaigns ({args.members:,} campaign leads)", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
