"""My Leads at scale: the table fragment against its bare SQL, at N leads in PostgreSQL.

    python bench/leads_page.py [--leads N] [--requests N]   (BENCH_SCALE=full: 1M leads, 30)

Loads N leads with COPY into a fresh database (created, migrated), then for a matrix
of filter + search + sort combinations times GET /leads as an HTMX fragment through
the app (signed in, server side: the app's WSGI call, each in a request context of its
own as when served), and the bare SQL the page runs (the capped count
and the page query) on the same connection settings. Prints p50/p95 in ms and the
ratio page/SQL. Goals: p95 under 150 ms for every combination, and within 2x of the SQL
or within the SQL + 10 ms, whichever is larger.

The "floor" columns time a bare Flask endpoint that runs the same two statements and
renders their rows with Jinja: what the stack itself costs around the SQL, so a ratio
can be read against the best any Flask page could do.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import _report  # noqa: E402

COMBINATIONS = [
    "",
    "status=new",
    "status=new&status=contacted&owner=unassigned",
    "intent=hot&sort=score&direction=desc",
    "source=website&created_from=2026-03-01&created_to=2026-04-30",
    "tag=vip",
    "q=acme",
    "q=zzqx",
    "q=smith&sort=score",
    "q=an&score_min=80",
    "sort=name&direction=asc",
    "sort=owner&direction=asc",
    "status=new&sort=owner&direction=desc&page=20",
    "sort=company&direction=asc&page=40",
    "status=qualified&sort=created&direction=asc&per_page=100",
]
FIRST = [
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "Wei",
    "Priya",
    "Carlos",
    "Fatima",
    "Olga",
    "Kenji",
    "Amara",
    "Lucas",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Martin",
    "Lee",
    "Chen",
    "Patel",
]
SYLLABLES = [
    "ac",
    "me",
    "glo",
    "bex",
    "ini",
    "tech",
    "um",
    "brel",
    "la",
    "sto",
    "ark",
    "vex",
    "nor",
    "thi",
    "qua",
    "zen",
    "dyn",
    "ami",
    "cor",
    "pix",
]
STATUSES = (
    ["new"] * 5
    + ["contacted"] * 3
    + ["qualified"] * 2
    + ["proposal", "closed_won", "closed_lost", "rejected"]
)
SOURCES = ["website", "referral", "social", "contact_form", "csv_import", "discovery", "api"]
COLUMNS = (
    "id",
    "workspace_id",
    "type",
    "first_name",
    "last_name",
    "full_name",
    "email",
    "email_normalized",
    "phone",
    "company_name",
    "company_domain",
    "status",
    "priority",
    "assigned_to_id",
    "lead_score",
    "intent",
    "source",
    "created_at",
    "updated_at",
    "uploaded",
)


def fresh_database(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return _report.database_url(admin_url, name)


def lead_rows(count: int, workspace_id, owners, seed: int = 11):
    rng = random.Random(seed)
    companies = ["".join(rng.sample(SYLLABLES, rng.randint(2, 3))).title() for _ in range(20000)]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = rng.choice(companies)
        domain = company.lower() + ".example.com"
        email = f"{first.lower()}.{last.lower()}.{n}@{domain}"
        score = rng.randint(0, 100)
        intent = (
            "hot" if score > 80 else "warm" if score > 50 else "cold" if score > 20 else "unrated"
        )
        created = start + timedelta(seconds=n * 25 + rng.randint(0, 20))
        yield (
            uuid.uuid4(),
            workspace_id,
            "person",
            first,
            last,
            f"{first} {last}",
            email,
            email,
            f"+1415{n % 10_000_000:07d}",
            company,
            domain,
            rng.choice(STATUSES),
            rng.choice(("low", "medium", "high")),
            rng.choice(owners),
            score,
            intent,
            rng.choice(SOURCES),
            created,
            created,
            False,
        )


def load(db_url: str, count: int) -> tuple[str, str]:
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(16),
        "DATABASE_URL": db_url,
        "FLASK_APP": "webapp",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [str(bin_dir / "flask"), "db", "upgrade"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            str(bin_dir / "flask"),
            "users",
            "create",
            "--email",
            "bench@example.com",
            "--password",
            "bench-password",
            "--workspace",
            "bench",
            "--role",
            "admin",
        ],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with psycopg.connect(db_url, autocommit=True) as conn:
        workspace_id = conn.execute("SELECT id FROM workspaces WHERE slug = 'bench'").fetchone()[0]
        user_id = conn.execute("SELECT id FROM users").fetchone()[0]
        # Indexes are cheaper to build once than to maintain row by row.
        index_sql = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'leads' "
            "AND indexname NOT LIKE 'pk_%' AND indexname NOT LIKE 'uq_%'"
        ).fetchall()
        for name, _ in index_sql:
            conn.execute(f"DROP INDEX {name}")
        started = time.perf_counter()
        owners = [user_id, None, None]
        with conn.cursor().copy(f"COPY leads ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in lead_rows(count, workspace_id, owners):
                copy.write_row(row)
        loaded = time.perf_counter() - started
        for _, definition in index_sql:
            conn.execute(definition)
        conn.execute(
            "INSERT INTO tags (id, workspace_id, name, created_at) VALUES "
            "(gen_random_uuid(), %s, 'vip', now())",
            (workspace_id,),
        )
        conn.execute(
            "INSERT INTO lead_tags (lead_id, tag_id) SELECT l.id, t.id FROM leads l, "
            "tags t WHERE t.name = 'vip' AND l.lead_score % 20 = 0"
        )
        conn.execute("VACUUM ANALYZE")
        print(
            f"loaded {count:,} leads in {loaded:.1f}s ({count / loaded:,.0f} rows/s) "
            f"+ indexes in {time.perf_counter() - started - loaded:.1f}s"
        )
    return str(workspace_id), str(user_id)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def measure(db_url: str, requests: int) -> list[dict]:
    """Print the matrix; return one report row per combination (page p95 vs its SQL's)."""
    os.environ.update(
        APP_ENV="production",
        SECRET_KEY=secrets.token_hex(16),
        DATABASE_URL=db_url,
        LOG_LEVEL="WARNING",
        LOGIN_RATE_LIMIT="1000 per minute",
    )
    os.environ.pop("REDIS_URL", None)
    from sqlalchemy.dialects import postgresql
    from werkzeug.datastructures import MultiDict

    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import User, Workspace
    from webapp.services.leads.filters import LeadFilter

    app = create_app({"WTF_CSRF_ENABLED": False})
    page_times = server_timed(app)
    view_times = view_timed(app, "leads.index")
    client = app.test_client()
    assert (
        client.post(
            "/login", data={"email": "bench@example.com", "password": "bench-password"}
        ).status_code
        == 302
    )
    # Autocommit and unprepared, as the page runs its searches (literal SQL is planned
    # for its own values).
    raw = psycopg.connect(db_url, autocommit=True)
    floor, floor_sql, floor_times = floor_client(db_url)
    print(
        f"{'combination':58}{'page p50':>9}{'p95':>7}{'sql p50':>9}{'p95':>7}"
        f"{'floor p50':>10}{'p95':>7}{'view p95':>9}{'ratio':>7}{'floor':>7}{'view':>6}"
    )
    # Only to find the ids and build each combination's SQL: the requests themselves run
    # outside it, each in its own context with a fresh session, as a served page does.
    with app.app_context():
        workspace = db.session.execute(db.select(Workspace)).scalar_one()
        user = db.session.execute(db.select(User)).scalar_one()
        sqls = {}
        for combo in COMBINATIONS:
            args = MultiDict([tuple(p.split("=", 1)) for p in combo.split("&") if p])
            sqls[combo] = _page_sql(LeadFilter.from_args(args), workspace, user, postgresql)
    around_view: list[float] = []
    rows = []
    for combo, sql in sqls.items():
        floor_sql[:] = sql
        sql_times = []
        for attempt in range(requests + 3):
            if attempt in (0, 3):  # warm-up first
                for times in (sql_times, page_times, view_times, floor_times):
                    times.clear()
            response = client.get(f"/leads?{combo}", headers={"HX-Request": "true"})
            assert response.status_code == 200, response.status_code
            started = time.perf_counter()
            for statement in sql:
                raw.execute(statement).fetchall()
            sql_times.append((time.perf_counter() - started) * 1000)
            assert floor.get("/floor").status_code == 200
        (p50, p95), (s50, s95) = percentiles(page_times), percentiles(sql_times)
        f50, f95 = percentiles(floor_times)
        v95 = percentiles(view_times)[1]
        around_view.extend(page - view for page, view in zip(page_times, view_times, strict=True))
        flag = "" if p95 < 150 and p95 <= max(2 * s95, s95 + 10) else "  <-- over goal"
        rows.append(
            _report.row(
                f"GET /leads?{combo}" if combo else "GET /leads",
                p95,
                s95,
                "ms p95 (baseline: its SQL)",
                "p95 < 150 ms, <= max(2x SQL, SQL + 10 ms)",
            )
        )
        print(
            f"{combo or '(no filter)':58}{p50:>9.1f}{p95:>7.1f}{s50:>9.1f}{s95:>7.1f}"
            f"{f50:>10.1f}{f95:>7.1f}{v95:>9.1f}{p95 / max(s95, 0.001):>7.1f}"
            f"{f95 / max(s95, 0.001):>7.1f}{v95 / max(s95, 0.001):>6.1f}{flag}"
        )
    a50, a95 = percentiles(around_view)
    print(
        f"\nAround the view (session, sign-in, workspace, hooks; the same for every "
        f"combination): p50 {a50:.1f} ms, p95 {a95:.1f} ms.\nRatios are p95 over the SQL's "
        "p95: the page's, the floor's, and the view's alone (its SQL, statements and render)."
    )
    return rows


def view_timed(app, endpoint: str) -> list[float]:
    """Time the view function alone (ms): the page's own work, without what every
    signed-in request does around it."""
    times: list[float] = []
    view = app.view_functions[endpoint]

    @functools.wraps(view)
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return view(*args, **kwargs)
        finally:
            times.append((time.perf_counter() - started) * 1000)

    app.view_functions[endpoint] = timed
    return times


def server_timed(app) -> list[float]:
    """Time each request server-side (the app's WSGI call, in ms), not the test client."""
    times: list[float] = []
    inner = app.wsgi_app

    def timed(environ, start_response):
        started = time.perf_counter()
        body = inner(environ, start_response)  # Flask has rendered and torn down by now
        times.append((time.perf_counter() - started) * 1000)
        return body

    app.wsgi_app = timed
    return times


FLOOR_ROWS = """<p>{{ total }} leads</p><table>{% for r in rows %}<tr>
<td><a href="/leads/{{ r[0] }}">{{ r[1] or r[2] }}</a></td><td>{{ r[5] }}</td>
<td>{{ r[4] }}</td><td>{{ r[6] }}</td><td>{{ r[7] }} {{ r[8] }}</td><td>{{ r[9] }}</td>
<td>{{ r[11] }}</td><td>{% for t in r[12] or () %}{{ t }} {% endfor %}</td><td>{{ r[13] }}</td>
</tr>{% endfor %}</table>"""


def floor_client(db_url: str):
    """The least a Flask page can do for the same SQL, to show what the stack costs.

    A bare Flask app (no sign-in, no ORM, no CSRF, no links) runs the page's two
    statements on a raw connection and renders the rows with Jinja, timed the same
    way. Its ratio to the SQL is the best any page of this stack could reach.
    """
    from flask import Flask

    app = Flask("floor")
    conn = psycopg.connect(db_url, autocommit=True)
    template = app.jinja_env.from_string(FLOOR_ROWS)
    statements: list[str] = []

    @app.get("/floor")
    def page():
        total = conn.execute(statements[0]).fetchone()[0]
        return template.render(total=total, rows=conn.execute(statements[1]).fetchall())

    return app.test_client(), statements, server_timed(app)


def _page_sql(lead_filter, workspace, user, dialect_module):
    """The two statements the page runs: the capped count and the page itself."""
    from webapp.extensions import db
    from webapp.services.leads.filters import filter_conditions
    from webapp.services.leads.my_leads import count_statement, rows_statement

    conditions = filter_conditions(lead_filter, workspace.id, user.id)
    count = count_statement(conditions)
    offset = (lead_filter.page - 1) * lead_filter.per_page
    page = rows_statement(
        db.session, workspace.id, conditions, lead_filter, lead_filter.per_page + 1, offset
    )
    dialect = dialect_module.dialect()
    return [
        str(q.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        for q in (count, page)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=_report.scaled(100_000, 1_000_000))
    parser.add_argument("--requests", type=int, default=_report.scaled(20, 30))
    parser.add_argument("--admin-url", default=_report.admin_url())
    parser.add_argument("--reuse", action="store_true", help="measure the last loaded database")
    args = parser.parse_args()
    db_url = _report.database_url(args.admin_url, "leadkeeper_bench_leads")
    if not args.reuse:
        fresh_database(args.admin_url, "leadkeeper_bench_leads")
        load(db_url, args.leads)
    rows = measure(db_url, args.requests)
    _report.emit(f"leads_page ({args.leads:,} leads)", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
