"""PostgreSQL's own branches: expression indexes the sorts and search must match, the
one-statement insert, and the relay's row locks. CI runs them on PostgreSQL, where a
skip is a failure (tests/conftest.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from tests.factories import signed_in
from webapp.models import Event, Lead, LeadActivity
from webapp.services.leads.timeline import create_lead

pytestmark = pytest.mark.postgres


def _statements_during(db, action) -> list[tuple[str, object]]:
    seen = []

    def note(_conn, _cursor, statement, parameters, *_args):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return seen


def _plan(db, statement: str, parameters) -> str:
    """The plan PostgreSQL would pick if a sequential scan and a sort were very dear."""
    with db.engine.connect() as conn:
        driver = conn.connection.driver_connection
        driver.execute("SET enable_seqscan = off")
        driver.execute("SET enable_sort = off")
        rows = driver.execute("EXPLAIN " + statement, parameters).fetchall()
        conn.rollback()
    return "\n".join(row[0] for row in rows)


@pytest.mark.parametrize(
    ("url", "index"),
    [
        ("/leads?sort=name&direction=asc", "ix_leads_ws_name"),
        ("/leads?sort=company&direction=asc", "ix_leads_ws_company"),
    ],
)
def test_my_leads_sorts_can_use_their_expression_index(client, factory, db, url, index):
    """The ORM's expression and the migration's index expression are the same text."""
    workspace, _ = signed_in(client, factory)
    for n in range(3):
        factory.lead(workspace, full_name=f"Ann {n}", company_name=f"Acme {n}")
    seen = _statements_during(db, lambda: client.get(url, headers={"HX-Request": "true"}))
    rows = [(s, p) for s, p in seen if "FROM leads" in s]  # the count, the ids, the rows
    assert rows, [s for s, _ in seen]
    plans = [_plan(db, s, p) for s, p in rows]
    assert any(index in plan for plan in plans), plans


def test_the_search_expression_is_the_trigram_index_expression(db, factory):
    from sqlalchemy import select
    from sqlalchemy.dialects import postgresql

    from webapp.services.leads.filters import search_text

    factory.lead(factory.workspace(), company_name="Acme")
    query = select(Lead.id).where(search_text().like("%acme%"))
    compiled = query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    plan = _plan(db, str(compiled).replace("%", "%%"), None)
    assert "ix_leads_search_trgm" in plan, plan


def test_the_expression_indexes_exist_as_the_migrations_made_them(db):
    with db.engine.connect() as conn:
        found = dict(
            conn.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'leads'")
            ).all()
        )
    assert "gin_trgm_ops" in found["ix_leads_search_trgm"]
    assert "lower(" in found["ix_leads_ws_company"]
    assert "COALESCE" in found["ix_leads_ws_name"].upper()


def test_a_new_lead_its_activity_and_event_go_in_one_statement(db, factory, monkeypatch):
    from webapp.services.leads import insert

    sent = []  # the driver-level SQL of the insert (SQLAlchemy's events never see it)

    def run(dbapi_connection, statement, params):
        sent.append(statement)
        return real_run(dbapi_connection, statement, params)

    real_run = insert._run
    monkeypatch.setattr(insert, "_run", run)
    workspace = factory.workspace()
    seen = _statements_during(
        db,
        lambda: create_lead(
            db.session, workspace.id, {"email": "one@example.com", "source": "website"}
        ),
    )
    db.session.commit()
    assert len(sent) == 1 and sent[0].startswith("WITH new_lead AS")
    assert not [s for s, _ in seen if "INSERT" in s.upper()]  # nothing through the ORM
    counts = [
        db.session.execute(db.select(db.func.count()).select_from(m)).scalar_one()
        for m in (Lead, LeadActivity, Event)
    ]
    assert counts == [1, 1, 1]


def test_the_relay_locks_the_events_it_sends(db, factory):
    from webapp.services.webhooks.delivery import relay_outbox

    workspace = factory.workspace()
    factory.lead(workspace)
    seen = _statements_during(db, lambda: relay_outbox(db.session))
    db.session.commit()
    assert any("FOR UPDATE SKIP LOCKED" in s for s, _ in seen), [s for s, _ in seen]
