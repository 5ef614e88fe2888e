"""Weekly topic trends: each topic's lead volume last week against the week before.

A topic is what discovery searched for: the topic of the saved query that found the
lead, else the lead's `search_query`. Weeks run from
Sunday 00:00 to the next Sunday 00:00 in the workspace's time zone, so the Sunday
03:00 run measures the week that has just ended.

Direction: `up` when the volume grew by 10 % or more, `down` when it fell by 10 % or
more, `stable` in between (TREND_THRESHOLD_PCT). A topic with no leads the week
before has no change percentage and counts as `up`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from webapp.models.accounts import Workspace
from webapp.models.discovery import DiscoveryQuery
from webapp.models.leads import Lead
from webapp.models.trends import TopicTrend
from webapp.services.schedules import zone_of

TREND_THRESHOLD_PCT = 10.0


def week_before(at: datetime, zone) -> date:
    """The local Sunday that began the last whole week before `at`."""
    local = at.astimezone(zone).date()
    this_sunday = local - timedelta(days=(local.weekday() + 1) % 7)
    return this_sunday - timedelta(days=7)


def direction_of(volume: int, previous: int) -> tuple[float | None, str]:
    if previous == 0:
        return None, ("up" if volume > 0 else "stable")
    change = round((volume - previous) * 100.0 / previous, 1)
    if change >= TREND_THRESHOLD_PCT:
        return change, "up"
    if change <= -TREND_THRESHOLD_PCT:
        return change, "down"
    return change, "stable"


def compute_weekly_trends(
    session: Session, workspace_id: uuid.UUID, at: datetime
) -> list[TopicTrend]:
    """Measure the week before `at` and store one TopicTrend per topic (replacing a rerun's)."""
    workspace = session.get(Workspace, workspace_id)
    zone = zone_of(workspace.timezone if workspace else None)
    week_start = week_before(at, zone)
    bounds = [
        datetime.combine(week_start + timedelta(days=d), time.min, tzinfo=zone) for d in (-7, 0, 7)
    ]
    topic = sa.func.coalesce(DiscoveryQuery.topic, Lead.search_query)
    in_week = sa.and_(Lead.created_at >= bounds[1], Lead.created_at < bounds[2])
    in_previous = sa.and_(Lead.created_at >= bounds[0], Lead.created_at < bounds[1])
    rows = session.execute(
        sa.select(
            topic,
            sa.func.sum(sa.case((in_week, 1), else_=0)),
            sa.func.sum(sa.case((in_previous, 1), else_=0)),
        )
        .outerjoin(DiscoveryQuery, DiscoveryQuery.id == Lead.discovery_query_id)
        .where(
            Lead.workspace_id == workspace_id,
            Lead.created_at >= bounds[0],
            Lead.created_at < bounds[2],
            topic.is_not(None),
            topic != "",
        )
        .group_by(topic)
    ).all()
    session.execute(
        sa.delete(TopicTrend).where(
            TopicTrend.workspace_id == workspace_id, TopicTrend.week_start == week_start
        )
    )
    trends = []
    for name, volume, previous in rows:
        change, direction = direction_of(int(volume or 0), int(previous or 0))
        trends.append(
            TopicTrend(
                workspace_id=workspace_id,
                topic=name,
                week_start=week_start,
                volume=int(volume or 0),
                previous_volume=int(previous or 0),
                change_pct=change,
                direction=direction,
            )
        )
    session.add_all(trends)
    session.flush()
    return trends


def week_trends(
    session: Session, workspace_id: uuid.UUID, week: date | None = None
) -> tuple[date | None, list[TopicTrend]]:
    """A measured week's trends (the latest by default), biggest volume first."""
    if week is None:
        week = session.execute(
            sa.select(sa.func.max(TopicTrend.week_start)).where(
                TopicTrend.workspace_id == workspace_id
            )
        ).scalar()
    if week is None:
        return None, []
    rows = session.scalars(
        sa.select(TopicTrend)
        .where(TopicTrend.workspace_id == workspace_id, TopicTrend.week_start == week)
        .order_by(TopicTrend.volume.desc(), TopicTrend.topic)
    ).all()
    return week, list(rows)


def measured_weeks(session: Session, workspace_id: uuid.UUID, limit: int = 12) -> list[date]:
    return list(
        session.scalars(
            sa.select(TopicTrend.week_start)
            .where(TopicTrend.workspace_id == workspace_id)
            .group_by(TopicTrend.week_start)
            .order_by(TopicTrend.week_start.desc())
            .limit(limit)
        )
    )
