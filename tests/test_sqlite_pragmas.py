"""Foreign keys hold on the embedded SQLite default, as they do on PostgreSQL."""

from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.factories import signed_in
from webapp.models import Lead, LeadActivity, LeadListMember, lead_tags


@pytest.fixture()
def sqlite_only(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's per-connection PRAGMA; PostgreSQL always enforces foreign keys")


def test_every_session_connection_enforces_foreign_keys(db, sqlite_only):
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


def test_migrations_hand_back_connections_with_foreign_keys_on(app, db, sqlite_only):
    from flask_migrate import downgrade, upgrade

    migrations = str(Path(app.root_path).parent / "migrations")
    downgrade(directory=migrations, revision="-1")
    upgrade(directory=migrations)
    with ExitStack() as stack:  # every pooled connection, the migrations' one included
        pooled = [
            stack.enter_context(db.engine.connect()) for _ in range(db.engine.pool.checkedin())
        ]
        assert pooled
        assert {c.exec_driver_sql("PRAGMA foreign_keys").scalar_one() for c in pooled} == {1}


def count(db, model_or_table, lead_id) -> int:
    query = select(func.count()).select_from(model_or_table)
    return db.session.execute(query.where(model_or_table.c.lead_id == lead_id)).scalar_one()


def test_deleting_a_lead_removes_its_activities_memberships_and_tags(client, db, factory):
    workspace, _ = signed_in(client, factory)
    lead = factory.lead(workspace, email="gone@example.com")
    kept = factory.lead(workspace, email="kept@example.com")
    both = [str(lead.id), str(kept.id)]
    client.post_form("/leads/bulk", {"action": "add_to_list", "list_name": "Hot", "lead_id": both})
    client.post_form("/leads/bulk", {"action": "add_tags", "tags": "vip", "lead_id": both})
    client.post_form(f"/leads/{lead.id}/notes", {"note": "Called, call back Friday"})
    activities, members = LeadActivity.__table__, LeadListMember.__table__
    assert count(db, activities, lead.id) >= 3 and count(db, members, lead.id) == 1
    assert count(db, lead_tags, lead.id) == 1

    response = client.post_form("/leads/bulk", {"action": "delete", "lead_id": [str(lead.id)]})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Lead, lead.id) is None
    assert count(db, activities, lead.id) == 0
    assert count(db, members, lead.id) == 0
    assert count(db, lead_tags, lead.id) == 0
    # the other lead keeps everything
    assert count(db, members, kept.id) == 1 and count(db, activities, kept.id) >= 2


def test_migration_0009_finishes_the_deletes_that_did_not_cascade(app, db, factory, sqlite_only):
    """Rows left by deletes made before foreign keys were on go as the cascades say."""
    from flask_migrate import downgrade, upgrade

    workspace = factory.workspace()
    lead = factory.lead(workspace, first_name="Ann", last_name="Lee", email="ann@example.com")
    gone = factory.lead(workspace, email="gone@example.com")
    lead_id, gone_id = lead.id, gone.id
    migrations = str(Path(app.root_path).parent / "migrations")
    downgrade(directory=migrations, revision="0008_webhooks")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # as it was before this release
        conn.exec_driver_sql("UPDATE leads SET full_name = NULL WHERE id = ?", (lead_id.hex,))
        conn.exec_driver_sql("DELETE FROM leads WHERE id = ?", (gone_id.hex,))
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    activities = LeadActivity.__table__
    db.session.expire_all()
    assert count(db, activities, gone_id) == 1  # an orphan

    upgrade(directory=migrations)
    db.session.expire_all()
    assert count(db, activities, gone_id) == 0
    assert count(db, activities, lead_id) == 1
    assert db.session.get(Lead, lead_id).full_name == "Ann Lee"
    assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
    # The downgrade and upgrade leave pooled connections behind: later tests get new ones.
    db.session.remove()
    db.engine.dispose()
