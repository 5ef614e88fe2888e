"""A CSV import through the app's import job against a bare COPY of the same file.

    DATABASE_URL=postgresql://... python bench/import_csv.py

A realistic file (name, email, company, title, city, country, phone for some; ~5% of
rows repeat an earlier email in another case, ~1% have an invalid email) is written to
a temporary folder. Ours: the file is uploaded with the import service, its mapping
guessed, then the `imports.run` job runs it in a process of its own (as a worker
would: `flask imports run`'s code path), into a fresh database at head. Its peak
memory is that process's maximum resident set size, start-up included. Baseline: a
bare `COPY … FROM STDIN (FORMAT csv)` of the same file into a table made `LIKE leads
INCLUDING ALL` (the same indexes). Figures are rows per second; goal: ours at least
40% of bare COPY and peak memory under 300 MB.

BENCH_SCALE=full: 1,000,000 rows (default 20,000). The database
`leadkeeper_bench_import` on DATABASE_URL's server is dropped and made again.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import _report  # noqa: E402

DATABASE = "leadkeeper_bench_import"
HEADER = ["First Name", "Last Name", "Email", "Company Name", "Job Title", "City", "Country",
          "Phone Number"]  # fmt: skip
FIRST = ["Ann", "Bob", "Chloé", "Dev", "Eve", "Farid", "Gwen", "Hiro", "Ines", "Jon", "Kai", "Lea"]
LAST = ["Lee", "Roe", "Müller", "Singh", "Okafor", "Tanaka", "García", "Smith", "Nowak", "Kim"]
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Soylent"]
TITLES = ["CEO", "CTO", "Head of Sales", "Engineer", "Buyer", "Marketing Manager", ""]
CITIES = [("Berlin", "Germany"), ("Austin", "USA"), ("Lagos", "Nigeria"), ("Osaka", "Japan"),
          ("Madrid", "Spain"), ("London", "UK")]  # fmt: skip


def _email(n: int) -> str:
    return f"person.{n}@{COMPANIES[n % len(COMPANIES)].lower()}{n % 997}.example.com"


def write_file(path: Path, rows: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    duplicates = invalid = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            company = rng.choice(COMPANIES)
            email = _email(n)
            roll = rng.random()
            if roll < 0.05 and n > 10:
                email = _email(rng.randrange(0, n)).upper()  # an earlier row's, in capitals
                duplicates += 1
            elif roll < 0.06:
                email = f"{first.lower()} at {company}"
                invalid += 1
            city, country = rng.choice(CITIES)
            phone = f"+1415555{n % 10000:04d}" if rng.random() < 0.3 else ""
            writer.writerow(
                [
                    first,
                    last,
                    email,
                    f"{company} {n % 50}",
                    rng.choice(TITLES),
                    city,
                    country,
                    phone,
                ]
            )
    return {"duplicates": duplicates, "invalid": invalid}


def fresh_database(admin_url: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    return _report.database_url(admin_url, DATABASE)


def _env(db_url: str, instance: Path) -> dict:
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(16),
        "DATABASE_URL": db_url,
        "FLASK_APP": "webapp",
        "LOG_LEVEL": "WARNING",
        "INSTANCE_PATH": str(instance),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    return env


def prepare(db_url: str, instance: Path) -> None:
    env = _env(db_url, instance)
    flask = str(Path(sys.executable).parent / "flask")
    subprocess.run([flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run(
        [flask, "users", "create", "--email", "bench@example.com", "--password",
         "bench-password", "--workspace", "bench", "--role", "admin"],
        env=env, cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip


def child(db_url: str, csv_path: str) -> None:
    """In its own process: upload, map, and run the import job; print what it measured."""
    import resource

    from webapp import create_app
    from webapp.extensions import db
    from webapp.jobs.imports import RUN
    from webapp.jobs.registry import get_job
    from webapp.jobs.runner import create_run, execute
    from webapp.models import LeadImport, User, Workspace
    from webapp.services.imports.setup import ImportOptions, configure_import, create_import

    app = create_app()
    with app.app_context():
        workspace = db.session.execute(db.select(Workspace)).scalar_one()
        user = db.session.execute(db.select(User)).scalar_one()
        started = time.perf_counter()
        with open(csv_path, "rb") as stream:
            imp = create_import(
                db.session, workspace.id, user.id, app.instance_path, stream, "bench.csv"
            )
        configure_import(db.session, imp, ImportOptions(list_name="Bench import"), user.id)
        db.session.commit()
        uploaded = time.perf_counter() - started
        spec = get_job(RUN)
        run = create_run(spec, workspace_id=workspace.id, started_by=user.id, args=[str(imp.id)])
        imp.job_run_id = run.id
        db.session.commit()
        started = time.perf_counter()
        execute(spec, run.id, (str(imp.id),), {}, will_retry=False, reraise=True)
        seconds = time.perf_counter() - started
        imp = db.session.get(LeadImport, imp.id, populate_existing=True)
        print(
            json.dumps(
                {
                    "seconds": seconds,
                    "upload_seconds": uploaded,
                    "rows": imp.done_rows,
                    "created": imp.created_count,
                    "updated": imp.updated_count,
                    "skipped": imp.skipped_count,
                    "invalid": imp.invalid_count,
                    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                }
            )
        )


def ours(db_url: str, csv_path: Path, instance: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", db_url, str(csv_path)],
        env=_env(db_url, instance),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-4000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


COPY_COLUMNS = ["first_name", "last_name", "email", "company_name", "job_title", "city",
                "country", "phone"]  # fmt: skip


def bare_copy(db_url: str, csv_path: Path) -> float:
    """Seconds to COPY the file into a table indexed like leads (the baseline)."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        workspace_id = conn.execute("SELECT id FROM workspaces").fetchone()[0]
        conn.execute("DROP TABLE IF EXISTS bare_import")
        conn.execute("CREATE TABLE bare_import (LIKE leads INCLUDING ALL)")
        defaults = {
            "id": "gen_random_uuid()", "workspace_id": f"'{workspace_id}'::uuid",
            "type": "'person'", "status": "'new'", "priority": "'medium'", "lead_score": "0",
            "intent": "'unrated'", "source": "'csv_import'", "uploaded": "false",
            "created_at": "now()", "updated_at": "now()",
        }  # fmt: skip
        for column, value in defaults.items():
            conn.execute(f"ALTER TABLE bare_import ALTER COLUMN {column} SET DEFAULT {value}")
        conn.execute("VACUUM ANALYZE")
        started = time.perf_counter()
        with conn.cursor() as cursor:
            statement = (
                f"COPY bare_import ({', '.join(COPY_COLUMNS)}) FROM STDIN "
                "WITH (FORMAT csv, HEADER true)"
            )
            with cursor.copy(statement) as copy, csv_path.open("rb") as source:
                while chunk := source.read(1024 * 1024):
                    copy.write(chunk)
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=_report.scaled(20_000, 1_000_000))
    parser.add_argument("--admin-url", default=_report.admin_url())
    parser.add_argument("--child", nargs=2, metavar=("DB_URL", "CSV"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    db_url = fresh_database(args.admin_url)
    with tempfile.TemporaryDirectory(prefix="lk-bench-import-") as folder:
        folder = Path(folder)
        csv_path = folder / "bench.csv"
        made = write_file(csv_path, args.rows)
        size_mb = csv_path.stat().st_size / 1e6
        print(
            f"file: {args.rows:,} rows, {size_mb:.0f} MB, {made['duplicates']:,} repeated "
            f"emails, {made['invalid']:,} invalid"
        )
        prepare(db_url, folder / "instance")
        measured = ours(db_url, csv_path, folder / "instance")
        bare_seconds = bare_copy(db_url, csv_path)
    ours_rate = measured["rows"] / measured["seconds"]
    bare_rate = args.rows / bare_seconds
    print(
        f"ours: {measured['rows']:,} rows in {measured['seconds']:.1f}s (upload and sniffing "
        f"{measured['upload_seconds']:.1f}s before it): {measured['created']:,} created, "
        f"{measured['updated']:,} updated, {measured['skipped']:,} skipped, "
        f"{measured['invalid']:,} invalid; peak RSS {measured['peak_mb']:.0f} MB"
    )
    print(f"bare COPY: {args.rows:,} rows in {bare_seconds:.1f}s")
    _report.emit(
        f"import_csv ({args.rows:,} rows)",
        [
            _report.row(
                "import job vs bare COPY", ours_rate, bare_rate, "rows/s", ">= 40% of bare COPY"
            ),
            _report.row(
                "peak memory of the importing process",
                measured["peak_mb"],
                300,
                "MB",
                "under 300 MB",
            ),  # fmt: skip
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
