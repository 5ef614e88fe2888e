"""The campaign re-sync jobs: one campaign, and every campaign nightly."""

from __future__ import annotations

from webapp.jobs import enqueue
from webapp.jobs.campaigns import RESYNC, RESYNC_ALL
from webapp.jobs.schedule import PERIODIC_JOBS
from webapp.models import JobRun
from webapp.redis_conn import get_redis
from webapp.services.campaigns.assignment import assign_list


def _run_jobs():
    if get_redis() is not None:
        from tests.web.test_background_work import burst_worker

        burst_worker()


def test_nightly_resync_is_scheduled_at_01_30():
    nightly = [p for p in PERIODIC_JOBS if p.kind == RESYNC_ALL]
    assert [p.cron for p in nightly] == ["30 1 * * *"]


def test_resync_jobs_add_new_members_of_dynamic_lists(db, factory):
    workspace = factory.workspace()
    factory.lead(workspace, intent="hot")
    dynamic = factory.lead_list(
        workspace, list_type="dynamic", criteria={"intent": ["hot"]}, name="Hot"
    )
    active = factory.campaign(workspace, status="active")
    archived = factory.campaign(workspace, status="active", is_archived=True)
    done = factory.campaign(workspace, status="completed")
    links = [assign_list(db.session, c, dynamic) for c in (active, archived, done)]
    db.session.commit()
    factory.lead(workspace, intent="hot")
    factory.lead(workspace, intent="warm")

    enqueue(RESYNC_ALL)
    _run_jobs()
    db.session.expire_all()
    assert [link.total_leads for link in links] == [2, 1, 1]  # only campaigns still worked
    run = db.session.execute(db.select(JobRun).where(JobRun.kind == RESYNC_ALL)).scalar_one()
    assert (run.status, run.counts) == ("succeeded", {"campaigns": 1, "added": 1})

    enqueue(RESYNC, done.id, workspace_id=workspace.id)
    _run_jobs()
    db.session.expire_all()
    assert links[2].total_leads == 2
