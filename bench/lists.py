"""Lists at scale: adding, copying, moving and removing N members, and the list page.

    python bench/lists.py [--leads N]   (default 20,000; BENCH_SCALE=full: 100,000)

Loads N leads into a fresh PostgreSQL database (bench/leads_page.py's loader), then
times the app's set-based member changes (services/lists/members.py: the members and
one timeline entry per lead) against the bare INSERT … SELECT / DELETE of the members
alone, and the list page's members fragment against its bare count and page query.
Goal: every change of 100,000 members within a few seconds (under 5 s), the page
under 150 ms.
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

DATABASE = "leadkeeper_bench_lists"


def _bare(db_url: str, sql: str, params: tuple) -> float:
    with psycopg.connect(db_url) as conn:
        started = time.perf_counter()
        conn.execute(sql, params)
        conn.commit()
        return (time.perf_counter() - started) * 1000


def measure(db_url: str, count: int) -> list[dict]:
    os.environ.update(APP_ENV="production", SECRET_KEY=secrets.token_hex(16), DATABASE_URL=db_url)
    os.environ.pop("REDIS_URL", None)
    from sqlalchemy import select

    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import Lead, LeadList, User, Workspace
    from webapp.services.lists.lists import create_list
    from webapp.services.lists.member_page import member_filter, page_of_members
    from webapp.services.lists.members import add_members, move_members, remove_members

    app = create_app({"LOG_LEVEL": "WARNING"})
    rows = []
    goal = "within 3x of the bare statement"
    with app.app_context():
        workspace = db.session.execute(select(Workspace)).scalar_one()
        user = db.session.execute(select(User)).scalar_one()
        everyone = select(Lead.id).where(Lead.workspace_id == workspace.id)

        def timed(work) -> float:
            started = time.perf_counter()
            work()
            db.session.commit()
            return (time.perf_counter() - started) * 1000

        first = create_list(db.session, workspace.id, "Everyone", created_by_id=user.id)
        second = create_list(db.session, workspace.id, "Copy", created_by_id=user.id)
        bare = create_list(db.session, workspace.id, "Bare", created_by_id=user.id)
        db.session.commit()
        # The bare statement first: the first to run also warms the cache for the other.
        insert_sql = (
            "INSERT INTO lead_list_members (id, lead_list_id, lead_id, added_at, added_by_id) "
            "SELECT gen_random_uuid(), %s, id, now(), %s FROM leads WHERE workspace_id = %s "
            "ON CONFLICT DO NOTHING"
        )
        baseline = _bare(db_url, insert_sql, (bare.id, user.id, workspace.id))
        added = timed(lambda: add_members(db.session, first, everyone, user.id))
        rows.append(_report.row(f"add {count:,} members", added, baseline, "ms", goal))
        again = timed(lambda: add_members(db.session, first, everyone, user.id))
        rows.append(_report.row(f"add the same {count:,} again (no-op)", again, baseline, "ms"))

        def page() -> float:
            lead_filter = member_filter({"sort": "name", "direction": "asc"}, first)
            started = time.perf_counter()
            page_of_members(db.session, first, lead_filter, user.id)
            return (time.perf_counter() - started) * 1000

        with psycopg.connect(db_url, autocommit=True) as conn:  # as autovacuum would
            conn.execute("ANALYZE lead_list_members")
        page()
        shown = min(page() for _ in range(5))
        bare_page = _bare(
            db_url,
            "SELECT count(*) FROM lead_list_members m JOIN leads l ON l.id = m.lead_id "
            "WHERE m.lead_list_id = %s",
            (bare.id,),
        )
        rows.append(_report.row("members page (count + rows)", shown, bare_page, "ms", "< 150"))
        moved = timed(
            lambda: move_members(
                db.session, first, second, select(Lead.id).where(Lead.id.is_not(None)), user.id
            )
        )
        rows.append(_report.row(f"move {count:,} members", moved, baseline * 2, "ms", goal))
        removed = timed(lambda: remove_members(db.session, second, everyone, user.id))
        bare_delete = _bare(
            db_url, "DELETE FROM lead_list_members WHERE lead_list_id = %s", (bare.id,)
        )
        rows.append(_report.row(f"remove {count:,} members", removed, bare_delete, "ms", goal))
        db.session.expire_all()
        assert db.session.get(LeadList, second.id).lead_count == 0
        assert db.session.get(LeadList, first.id).lead_count == 0
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=_report.scaled(20_000, 100_000))
    parser.add_argument("--admin-url", default=_report.admin_url())
    args = parser.parse_args()
    db_url = leads_page.fresh_database(args.admin_url, DATABASE)
    leads_page.load(db_url, args.leads)
    rows = measure(db_url, args.leads)
    _report.emit(f"lists ({args.leads:,} members)", rows)
    with psycopg.connect(args.admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
