"""Two jobs seeding one workspace's signal table at once (its queries discovered side by
side on two workers): both go on, and the table has the seed's six types once."""

import threading
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models.discovery import DEFAULT_SIGNAL_TYPES, SignalType
from webapp.services.pipeline.signals import seed_signal_types, strengths_for


@pytest.mark.postgres  # SQLite lets one writer in at a time: no race to lose
def test_two_sessions_seeding_one_workspace_at_once_both_go_on(app, db, factory):
    workspace = factory.workspace()
    first, second = Session(db.engine), Session(db.engine)
    errors = []

    def seed_second():
        try:
            strengths_for(second, workspace.id)  # waits on the first one's keys
            second.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    try:
        seed_signal_types(first, workspace.id)  # inserted, not yet committed
        racer = threading.Thread(target=seed_second)
        racer.start()
        time.sleep(0.5)  # the second one is now blocked on the unique key
        first.commit()
        racer.join(10)
        assert not racer.is_alive() and errors == []
        count = first.scalar(
            select(func.count())
            .select_from(SignalType)
            .where(SignalType.workspace_id == workspace.id)
        )
        assert count == len(DEFAULT_SIGNAL_TYPES)
        assert len(strengths_for(second, workspace.id)) == len(DEFAULT_SIGNAL_TYPES)
    finally:
        first.close()
        second.close()
