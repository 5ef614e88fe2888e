"""Target-client link-batch and list at scale, against their bare SQL joins (issue 17).

    python bench/link_batch.py [--people N] [--companies N]   (BENCH_SCALE=full: 1M, 200k)

Loads N core companies and people into a fresh PostgreSQL database with the app's bulk
loader (webapp.services.core.loader: COPY into staging + upsert), timed against a bare
COPY of the same rows into a table with the same indexes. Then, through the app
(test client, bearer token, JSON in and out):

- POST /run/target-client/leads/link-batch with 10,000 emails, half of them in core
  (each round a new target client, so every round inserts its 5,000 leads), against
  the bare SQL of the same work: one join of the emails to people and companies, one
  INSERT … SELECT of the found rows;
- POST /run/target-client/leads/list of 10,000 leads, against the bare joined SELECT.

Goal: link-batch of 10,000 under 3 s, within 3x of the bare SQL.
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from functools import partial
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import _report  # noqa: E402

DATABASE = "leadkeeper_bench_core"
BATCH = 10_000
TITLES = ["VP Sales", "CTO", "Engineer", "Head of Marketing", "CFO", "Account Executive"]
SENIORITY = ["VP", "C-level", "IC", "Head", "C-level", "IC"]
DEPARTMENTS = ["Sales", "Engineering", "Engineering", "Marketing", "Finance", "Sales"]
INDUSTRIES = ["DevOps", "Payments", "Security", "Retail", "Healthcare", "Media"]


def companies_csv(count: int) -> bytes:
    lines = ["domain,name,industry,employee_count,revenue,city,state,country"]
    for n in range(count):
        lines.append(
            f"c{n}.example.com,Company {n},{INDUSTRIES[n % 6]},{10 + n % 5000},"
            f"{n * 1000},City {n % 300},CA,US"
        )
    return ("\n".join(lines) + "\n").encode()


def people_csv(count: int, companies: int) -> bytes:
    lines = ["email,first_name,last_name,title,seniority,department,linkedin_url,company_domain"]
    for n in range(count):
        k = n % 6
        lines.append(
            f"p{n}@c{n % companies}.example.com,First{n},Last{n},{TITLES[k]},{SENIORITY[k]},"
            f"{DEPARTMENTS[k]},linkedin.com/in/p{n},c{n % companies}.example.com"
        )
    return ("\n".join(lines) + "\n").encode()


def fresh_database(admin_url: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    url = _report.database_url(admin_url, DATABASE)
    env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": secrets.token_hex(16),
           "DATABASE_URL": url, "FLASK_APP": "webapp", "LOG_LEVEL": "WARNING"}  # fmt: skip
    env.pop("REDIS_URL", None)
    flask = Path(sys.executable).parent / "flask"
    subprocess.run([str(flask), "db", "upgrade"], env=env, cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    return url


def timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def bare_copy_seconds(url: str, table: str, content: bytes) -> float:
    """COPY of the same CSV into a scratch table with the same indexes: the load's floor."""
    with psycopg.connect(url) as conn:
        conn.execute(f"CREATE TEMP TABLE scratch (LIKE {table} INCLUDING ALL)")
        header = content.split(b"\n", 1)[0].decode()
        started = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute("ALTER TABLE scratch ALTER COLUMN id SET DEFAULT gen_random_uuid()")
            cur.execute("ALTER TABLE scratch ALTER COLUMN created_at SET DEFAULT now()")
            cur.execute("ALTER TABLE scratch ALTER COLUMN updated_at SET DEFAULT now()")
            with cur.copy(f"COPY scratch ({header}) FROM STDIN WITH (FORMAT csv, HEADER)") as cp:
                cp.write(content)
        conn.commit()
        return time.perf_counter() - started


def load(app, url: str, companies: int, people: int) -> list[dict]:
    from webapp.extensions import db
    from webapp.services.core.loader import load_file

    rows = []
    for kind, content, table in (
        ("companies", companies_csv(companies), "core_companies"),
        ("people", people_csv(people, companies), "core_people"),
    ):

        def after_batch(report):
            db.session.commit()
            return True

        with app.app_context():
            work = partial(load_file, db.session, kind, io.BytesIO(content), f"{kind}.csv")
            seconds, report = timed(partial(work, after_batch))
        assert report.failed == 0 and report.inserted == content.count(b"\n") - 1, report.counts
        baseline = bare_copy_seconds(url, table, content)
        count = content.count(b"\n") - 1
        print(f"loaded {count:,} {kind} in {seconds:.1f} s ({count / seconds:,.0f} rows/s); "
              f"bare COPY {baseline:.1f} s")  # fmt: skip
        rows.append(_report.row(f"load {count:,} {kind} (s)", seconds, baseline, "s"))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return rows


def bare_link(url: str, tcd: str, workspace_id, emails: list[str]) -> float:
    """The same work in two statements: join the emails to core, insert the found rows."""
    with psycopg.connect(url) as conn:
        started = time.perf_counter()
        conn.execute(
            """
            INSERT INTO target_client_leads (id, workspace_id, target_client_domain,
                core_person_id, core_company_id, first_name, last_name, full_name, work_email,
                company_domain, company_name, source, created_at, updated_at)
            SELECT gen_random_uuid(), %s, %s, p.id, c.id, p.first_name, p.last_name,
                p.full_name, p.email, c.domain, c.name, 'csv_import', now(), now()
            FROM unnest(%s::text[]) AS e(email)
            JOIN core_people p ON p.email = e.email
            LEFT JOIN core_companies c ON c.id = p.core_company_id
            """,
            (workspace_id, tcd, emails),
        )
        conn.commit()
        return time.perf_counter() - started


def bare_list(url: str, tcd: str, workspace_id) -> float:
    with psycopg.connect(url) as conn:
        started = time.perf_counter()
        rows = conn.execute(
            """
            SELECT l.id, l.full_name, l.work_email, l.company_domain, l.core_company_id,
                l.core_person_id, l.source, l.created_at, c.name, c.industry,
                c.employee_count, c.city, p.title, p.seniority, p.department
            FROM target_client_leads l
            LEFT JOIN core_companies c ON c.id = l.core_company_id
            LEFT JOIN core_people p ON p.id = l.core_person_id
            WHERE l.workspace_id = %s AND l.target_client_domain = %s
            ORDER BY l.created_at, l.id LIMIT 10000
            """,
            (workspace_id, tcd),
        ).fetchall()
        assert len(rows) == BATCH, len(rows)
        return time.perf_counter() - started


def measure(app, url: str, people: int, rounds: int) -> list[dict]:
    from webapp.extensions import db
    from webapp.models import Workspace
    from webapp.services.accounts.api_tokens import create_token

    with app.app_context():
        workspace = Workspace(slug=f"bench-{uuid.uuid4().hex[:8]}", name="Bench")
        db.session.add(workspace)
        db.session.flush()
        secret = create_token(db.session, workspace.id, "bench", None).secret
        db.session.commit()
        workspace_id = workspace.id
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    step = max(people // (BATCH // 2), 1)
    found = [f"p{n}@c{n % COMPANIES}.example.com" for n in range(0, people, step)][: BATCH // 2]
    missing = [f"nobody{n}@missing.example.com" for n in range(BATCH - len(found))]
    emails = [e for pair in zip(found, missing, strict=False) for e in pair]
    emails += found[len(missing):] + missing[len(found):]  # fmt: skip
    assert len(emails) == BATCH

    ours, bare = [], []
    for r in range(rounds):
        tcd = f"prospect{r}-{uuid.uuid4().hex[:6]}.example.com"
        body = {"target_client_domain": tcd, "source": "csv_import",
                "leads": [{"person_email": e} for e in emails]}  # fmt: skip
        post = partial(client.post, "/run/target-client/leads/link-batch", json=body)
        seconds, answer = timed(partial(post, headers=headers))
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        assert answer.json["linked"] == len(found), answer.json["linked"]
        ours.append(seconds)
        bare.append(bare_link(url, f"bare-{tcd}", workspace_id, emails))
    link_ms, bare_ms = statistics.median(ours) * 1000, statistics.median(bare) * 1000
    print(f"link-batch 10,000 (half found): {link_ms:.0f} ms; bare SQL {bare_ms:.0f} ms")

    # A target client of 10,000 leads, all found, for the list.
    stride = max(people // BATCH, 1)
    every = [f"p{n}@c{n % COMPANIES}.example.com" for n in range(0, people, stride)]
    tcd = f"list-{uuid.uuid4().hex[:8]}.example.com"
    body = {"target_client_domain": tcd, "leads": [{"person_email": e} for e in every[:BATCH]]}
    assert client.post("/run/target-client/leads/link-batch", json=body,
                       headers=headers).json["linked"] == BATCH  # fmt: skip
    ours, bare = [], []
    for _ in range(rounds):
        seconds, answer = timed(lambda: client.post("/run/target-client/leads/list",
                                                    json={"target_client_domain": tcd},
                                                    headers=headers))  # fmt: skip
        assert answer.json["count"] == BATCH
        ours.append(seconds)
        bare.append(bare_list(url, tcd, workspace_id))
    list_ms, list_bare = statistics.median(ours) * 1000, statistics.median(bare) * 1000
    print(f"list 10,000 leads: {list_ms:.0f} ms; bare SQL {list_bare:.0f} ms")
    return [
        _report.row("link-batch 10,000 emails, half found (ms)", link_ms, bare_ms, "ms",
                    "< 3000 ms and within 3x of the SQL"),
        _report.row("list 10,000 leads with enriched data (ms)", list_ms, list_bare, "ms"),
    ]  # fmt: skip


COMPANIES = 0


def main() -> int:
    global COMPANIES
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=_report.scaled(20_000, 1_000_000))
    parser.add_argument("--companies", type=int, default=_report.scaled(4_000, 200_000))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--admin-url", default=_report.admin_url())
    parser.add_argument("--reuse", action="store_true", help="measure the last loaded database")
    args = parser.parse_args()
    COMPANIES = args.companies
    url = _report.database_url(args.admin_url, DATABASE)
    if not args.reuse:
        fresh_database(args.admin_url)
    os.environ.update(APP_ENV="production", SECRET_KEY=secrets.token_hex(16), DATABASE_URL=url,
                      LOG_LEVEL="WARNING", API_RATE_LIMIT="100000 per minute")  # fmt: skip
    os.environ.pop("REDIS_URL", None)
    from webapp import create_app

    app = create_app({"WTF_CSRF_ENABLED": False})
    rows = [] if args.reuse else load(app, url, args.companies, args.people)
    rows += measure(app, url, args.people, args.rounds)
    _report.emit(f"link_batch ({args.people:,} people, {args.companies:,} companies)", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
