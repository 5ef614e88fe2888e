"""Pipeline credits: spend up to the limit, never past it (even racing), reset."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.orm import Session

from webapp.services.pipeline.credits import CreditsExhausted, credits_of, reset_credits, spend


def test_spend_up_to_the_limit_then_refuse_without_taking(db, factory):
    workspace = factory.workspace()
    workspace.daily_credit_limit = 3
    db.session.commit()
    spend(db.session, workspace.id, 2, "two companies")
    spend(db.session, workspace.id, 1, "one company")
    with pytest.raises(CreditsExhausted, match="3 of 3 credits used"):
        spend(db.session, workspace.id, 1, "one too many")
    db.session.commit()
    assert credits_of(db.session, workspace.id).used == 3
    assert workspace.daily_credits_used == 3


def test_the_default_limit_comes_from_the_setting(app, db, factory):
    workspace = factory.workspace()
    assert credits_of(db.session, workspace.id).limit == app.config["DAILY_CREDIT_LIMIT"]


def test_reset_sets_one_or_every_workspace_back_to_zero(db, factory):
    first, second = factory.workspace(), factory.workspace()
    for workspace in (first, second):
        spend(db.session, workspace.id, 5, "test")
    db.session.commit()
    reset_credits(db.session, first.id)
    db.session.commit()
    assert (first.daily_credits_used, second.daily_credits_used) == (0, 5)
    reset_credits(db.session)
    db.session.commit()
    assert second.daily_credits_used == 0


def test_racing_spenders_never_pass_the_limit(app, db, factory):
    workspace = factory.workspace()
    workspace.daily_credit_limit = 10
    db.session.commit()
    workspace_id = workspace.id  # read here: the threads must not load it on this session
    taken, refused = [], []

    def spender():
        with app.app_context(), Session(db.engine) as session:
            for _ in range(5):
                try:
                    spend(session, workspace_id, 1, "race")
                    session.commit()
                    taken.append(1)
                except CreditsExhausted:
                    session.rollback()
                    refused.append(1)

    threads = [threading.Thread(target=spender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(taken) == 10 and len(refused) == 10
    assert credits_of(db.session, workspace_id).used == 10
