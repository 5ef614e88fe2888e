"""The schedules tick: each schedule runs once per period, in each workspace's time zone.

Two ticks racing (two scheduler processes) start one job per period; a period missed
while no scheduler ran is caught up once, the latest only.
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime

import sqlalchemy as sa

from webapp.jobs.schedules import TRENDS, run_tick
from webapp.models.jobs import JobRun
from webapp.models.schedules import ScheduledPeriod
from webapp.services import schedules as svc

BY_NAME = {s.name: s for s in svc.WORKSPACE_SCHEDULES}
# Trends is this branch's own job: it stands in for any kind, so the claim is what is tested.
TRENDS_SCHEDULE = BY_NAME["trends"]
DAILY_2AM = dataclasses.replace(BY_NAME["discovery"], kind=TRENDS, with_period=True)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def runs(db, workspace=None) -> list[JobRun]:
    query = sa.select(JobRun).where(JobRun.kind == TRENDS).order_by(JobRun.created_at)
    if workspace is not None:
        query = query.where(JobRun.workspace_id == workspace.id)
    return list(db.session.scalars(query))


def claims(db, schedule: str) -> list[ScheduledPeriod]:
    query = sa.select(ScheduledPeriod).where(ScheduledPeriod.schedule == schedule)
    return list(db.session.scalars(query.order_by(ScheduledPeriod.period_start)))


def test_the_seed_schedules_and_their_cron_strings():
    crons = {s.name: (s.cron, s.kind) for s in svc.WORKSPACE_SCHEDULES}
    assert crons == {
        "discovery": ("0 2 * * *", "pipeline.discover_workspace"),
        "credit_reset": ("0 0 * * *", "pipeline.reset_credits"),
        "trends": ("0 3 * * 0", "pipeline.trends"),
    }


def test_a_due_period_starts_its_job_once_and_records_the_run(db, factory):
    workspace = factory.workspace()
    monday = utc(2027, 6, 7, 10, 0)  # the latest Sunday 03:00 is 2027-06-06
    started = run_tick(monday, (TRENDS_SCHEDULE,))
    assert [(d.workspace_id, d.period_start) for d in started] == [
        (workspace.id, utc(2027, 6, 6, 3, 0))
    ]
    assert run_tick(monday.replace(minute=1), (TRENDS_SCHEDULE,)) == []
    db.session.expire_all()
    [run] = runs(db, workspace)
    assert run.subject_type == "schedule" and run.subject_id == "trends"
    assert run.args == [str(workspace.id), "2027-06-06T03:00:00+00:00"]
    [claim] = claims(db, "trends")
    assert claim.run_id == run.id and claim.workspace_id == workspace.id


def test_two_ticks_racing_start_one_job_per_period(app, db, factory):
    workspaces = [factory.workspace() for _ in range(3)]
    moment = utc(2027, 6, 7, 10, 0)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def tick():
        with app.app_context():
            try:
                barrier.wait()
                results.append(run_tick(moment, (TRENDS_SCHEDULE,)))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(len(r) for r in results) == len(workspaces)
    db.session.expire_all()
    assert len(runs(db)) == len(workspaces)
    assert len(claims(db, "trends")) == len(workspaces)


def test_a_missed_period_is_caught_up_once_the_latest_only(db, factory):
    workspace = factory.workspace()
    run_tick(utc(2027, 6, 7, 10, 0), (TRENDS_SCHEDULE,))  # week of 2027-06-06
    # The scheduler is down for two Sundays (06-13 and 06-20), back on Wednesday 06-23.
    back = utc(2027, 6, 23, 9, 30)
    started = run_tick(back, (TRENDS_SCHEDULE,))
    assert [d.period_start for d in started] == [utc(2027, 6, 20, 3, 0)]
    assert run_tick(back.replace(minute=31), (TRENDS_SCHEDULE,)) == []
    db.session.expire_all()
    assert [c.period_start for c in claims(db, "trends")] == [
        utc(2027, 6, 6, 3, 0),
        utc(2027, 6, 20, 3, 0),
    ]
    assert len(runs(db, workspace)) == 2


def test_each_workspace_gets_its_2am_in_its_own_time_zone(db, factory):
    tokyo = factory.workspace()
    tokyo.timezone = "Asia/Tokyo"
    los_angeles = factory.workspace()
    los_angeles.timezone = "America/Los_Angeles"
    db.session.commit()

    # 2027-06-01 16:59 UTC: 01:59 on 06-02 in Tokyo; 09:59 on 06-01 in Los Angeles (PDT).
    first = run_tick(utc(2027, 6, 1, 16, 59), (DAILY_2AM,))
    assert {d.workspace_id: d.period_start for d in first} == {
        tokyo.id: utc(2027, 5, 31, 17, 0),  # 02:00 on 06-01, Tokyo
        los_angeles.id: utc(2027, 6, 1, 9, 0),  # 02:00 on 06-01, Los Angeles
    }
    # 17:00 UTC is 02:00 in Tokyo: only Tokyo's next period is due.
    at_tokyo_2am = run_tick(utc(2027, 6, 1, 17, 0), (DAILY_2AM,))
    assert [(d.workspace_id, d.period_start) for d in at_tokyo_2am] == [
        (tokyo.id, utc(2027, 6, 1, 17, 0))
    ]
    # 09:00 UTC next day is 02:00 in Los Angeles.
    assert run_tick(utc(2027, 6, 2, 8, 59), (DAILY_2AM,)) == []
    at_la_2am = run_tick(utc(2027, 6, 2, 9, 0), (DAILY_2AM,))
    assert [(d.workspace_id, d.period_start) for d in at_la_2am] == [
        (los_angeles.id, utc(2027, 6, 2, 9, 0))
    ]


def test_a_period_before_the_workspace_existed_is_not_run(db, factory):
    workspace = factory.workspace()
    workspace.created_at = utc(2027, 6, 7, 12, 0)  # a Monday, after Sunday's 03:00
    db.session.commit()
    assert run_tick(utc(2027, 6, 8, 10, 0), (TRENDS_SCHEDULE,)) == []
    [first] = run_tick(utc(2027, 6, 13, 3, 0), (TRENDS_SCHEDULE,))
    assert first.period_start == utc(2027, 6, 13, 3, 0)


def test_a_schedule_whose_job_is_not_in_this_build_claims_nothing(db, factory):
    factory.workspace()
    missing = dataclasses.replace(TRENDS_SCHEDULE, name="nowhere", kind="no.such_job")
    assert run_tick(utc(2027, 6, 7, 10, 0), (missing,)) == []
    assert claims(db, "nowhere") == []


def test_an_app_wide_cron_job_runs_once_per_utc_period(db, factory):
    factory.workspace()
    factory.workspace()  # app-wide: once, whatever the number of workspaces
    nightly = svc.Schedule("nightly", "Nightly", "30 1 * * *", "diagnostics.noop", False)
    [due] = run_tick(utc(2027, 6, 7, 1, 45), (nightly,))
    assert (due.workspace_id, due.period_start) == (None, utc(2027, 6, 7, 1, 30))
    assert run_tick(utc(2027, 6, 7, 23, 0), (nightly,)) == []
    [claim] = claims(db, "nightly")
    assert (claim.scope, claim.workspace_id) == ("all", None)
    noop_runs = db.session.scalars(sa.select(JobRun).where(JobRun.kind == "diagnostics.noop"))
    assert [r.id for r in noop_runs] == [claim.run_id]


def test_the_tick_job_leaves_no_run_when_nothing_was_due(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)  # inline, on either backend
    from webapp.jobs import enqueue

    enqueue("schedules.tick")  # app-wide cron jobs (if any) start once
    before = db.session.scalars(sa.select(JobRun.id)).all()
    assert enqueue("schedules.tick") is None  # discarded: an idle tick is not worth a line
    assert db.session.scalars(sa.select(JobRun.id)).all() == before
