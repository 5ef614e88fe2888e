"""The pipeline dashboard's figures: each one aggregate query over the chosen window.

The window is the last `days` whole local days (the workspace's time zone), today
included. Lead figures count leads created in the window; uploads, deliveries and
failed runs count what happened in it. No figure reads leads one by one.

Intent breakdown (seed 001's `lead_intent_breakdown`): hot, warm and cold counts, the
total of all leads in the window (unrated ones included) and each share of it.

Uploads are counted in leads, with batches beside them, never one for the other: a batch
is one request to a platform (up to its route's batch size). "Leads sent" counts a lead once
per batch it was in, "leads uploaded" once when the platform accepted it, and the success
rate is uploaded ÷ sent, per platform and overall alike.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from webapp.models.discovery import DiscoveryQuery
from webapp.models.enrichment import LeadContact, LeadDelivery, PlatformUpload
from webapp.models.jobs import JobRun
from webapp.models.leads import Lead
from webapp.services.days import day_start

WINDOWS = (7, 30, 90)
DEFAULT_WINDOW = 30
INTENTS = ("hot", "warm", "cold")


def pct(part: int, whole: int) -> float | None:
    return round(part * 100.0 / whole, 1) if whole else None


@dataclass
class IntentBreakdown:
    hot_count: int = 0
    warm_count: int = 0
    cold_count: int = 0
    unscored_count: int = 0  # no intent yet ("unrated"): the four add up to the total
    total_count: int = 0

    def count(self, intent: str) -> int:
        return getattr(self, f"{intent}_count")

    def percentage(self, intent: str) -> float | None:
        return pct(self.count(intent), self.total_count)

    @property
    def hot_percentage(self) -> float | None:
        return self.percentage("hot")

    @property
    def warm_percentage(self) -> float | None:
        return self.percentage("warm")

    @property
    def cold_percentage(self) -> float | None:
        return self.percentage("cold")


@dataclass
class Enrichment:
    completed: int = 0
    failed: int = 0
    skipped: int = 0
    pending: int = 0  # pending or running
    average_seconds: float | None = None
    contacts: int = 0

    @property
    def success_rate(self) -> float | None:
        return pct(self.completed, self.completed + self.failed)

    @property
    def contacts_per_lead(self) -> float | None:
        return round(self.contacts / self.completed, 1) if self.completed else None


@dataclass
class Rate:
    """Successes out of attempts for one delivery channel."""

    name: str
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def rate(self) -> float | None:
        return pct(self.succeeded, self.succeeded + self.failed)


@dataclass
class PlatformUploads:
    """One platform's uploads in the window, in leads and in batches (see the module)."""

    name: str
    leads_sent: int = 0  # a lead once per batch it was sent in
    leads_uploaded: int = 0  # accepted by the platform
    batches: int = 0
    failed_batches: int = 0  # refused, or never answered

    @property
    def leads_not_uploaded(self) -> int:
        return max(0, self.leads_sent - self.leads_uploaded)

    @property
    def rate(self) -> float | None:
        """Leads uploaded out of leads sent."""
        return pct(min(self.leads_uploaded, self.leads_sent), self.leads_sent)


@dataclass
class Dashboard:
    days: int
    first_day: date
    last_day: date
    per_day: list[tuple[date, int]]
    per_query: list[tuple[str, int]]
    intent: IntentBreakdown
    enrichment: Enrichment
    uploads: list[PlatformUploads]
    deliveries: list[Rate]
    failures: list[tuple[str, int]]

    @property
    def total_leads(self) -> int:
        return sum(n for _, n in self.per_day)

    @property
    def upload_totals(self) -> PlatformUploads:
        """Every platform together (its `rate` is the overall upload success rate)."""
        total = PlatformUploads("all")
        for row in self.uploads:
            total.leads_sent += row.leads_sent
            total.leads_uploaded += row.leads_uploaded
            total.batches += row.batches
            total.failed_batches += row.failed_batches
        return total


def window_days(value) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_WINDOW
    return days if days in WINDOWS else DEFAULT_WINDOW


def pipeline_dashboard(
    session: Session, workspace_id: uuid.UUID, zone: tzinfo, days: int, now: datetime
) -> Dashboard:
    last_day = now.astimezone(zone).date()
    first_day = last_day - timedelta(days=days - 1)
    edges = [day_start(first_day + timedelta(days=i), zone) for i in range(days + 1)]
    start, end = edges[0], edges[-1]
    return Dashboard(
        days=days,
        first_day=first_day,
        last_day=last_day,
        per_day=_leads_per_day(session, workspace_id, edges),
        per_query=_leads_per_query(session, workspace_id, start, end),
        intent=_intent_breakdown(session, workspace_id, start, end),
        enrichment=_enrichment(session, workspace_id, start, end),
        uploads=_uploads(session, workspace_id, start, end),
        deliveries=_deliveries(session, workspace_id, start, end),
        failures=_failures(session, workspace_id, start, end),
    )


def _in_window(column, start, end):
    return sa.and_(column >= start, column < end)


def _leads_per_day(session, workspace_id, edges) -> list[tuple[date, int]]:
    # One row: a count per local day, each day's bounds computed here (any time zone).
    columns = [
        sa.func.sum(sa.case((_in_window(Lead.created_at, a, b), 1), else_=0))
        for a, b in zip(edges, edges[1:], strict=False)
    ]
    row = session.execute(
        sa.select(*columns).where(
            Lead.workspace_id == workspace_id, _in_window(Lead.created_at, edges[0], edges[-1])
        )
    ).one()
    return [(edge.date(), int(n or 0)) for edge, n in zip(edges, row, strict=False)]


def _leads_per_query(session, workspace_id, start, end, limit: int = 10):
    name = sa.func.coalesce(DiscoveryQuery.name, Lead.search_query)
    rows = session.execute(
        sa.select(name, sa.func.count())
        .select_from(Lead)
        .outerjoin(DiscoveryQuery, DiscoveryQuery.id == Lead.discovery_query_id)
        .where(
            Lead.workspace_id == workspace_id,
            _in_window(Lead.created_at, start, end),
            name.is_not(None),
        )
        .group_by(name)
        .order_by(sa.func.count().desc(), name)
        .limit(limit)
    ).all()
    return [(query, int(n)) for query, n in rows]


def _intent_breakdown(session, workspace_id, start, end) -> IntentBreakdown:
    rows = session.execute(
        sa.select(Lead.intent, sa.func.count())
        .where(Lead.workspace_id == workspace_id, _in_window(Lead.created_at, start, end))
        .group_by(Lead.intent)
    ).all()
    counts = dict(rows)
    return IntentBreakdown(
        hot_count=int(counts.get("hot", 0)),
        warm_count=int(counts.get("warm", 0)),
        cold_count=int(counts.get("cold", 0)),
        unscored_count=int(sum(n for i, n in counts.items() if i not in ("hot", "warm", "cold"))),
        total_count=int(sum(counts.values())),
    )


def _seconds_between(session, start_column, end_column):
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.extract("epoch", end_column - start_column)
    return (sa.func.julianday(end_column) - sa.func.julianday(start_column)) * 86400.0


def _enrichment(session, workspace_id, start, end) -> Enrichment:
    in_window = sa.and_(Lead.workspace_id == workspace_id, _in_window(Lead.created_at, start, end))
    counts = dict(
        session.execute(
            sa.select(Lead.enrichment_status, sa.func.count())
            .where(in_window, Lead.enrichment_status.is_not(None))
            .group_by(Lead.enrichment_status)
        ).all()
    )
    completed = Lead.enrichment_status == "completed"
    average = session.execute(
        sa.select(
            sa.func.avg(
                _seconds_between(session, Lead.enrichment_started_at, Lead.enrichment_completed_at)
            )
        ).where(
            in_window,
            completed,
            Lead.enrichment_started_at.is_not(None),
            Lead.enrichment_completed_at.is_not(None),
        )
    ).scalar()
    contacts = session.execute(
        sa.select(sa.func.count(LeadContact.id))
        .join(Lead, Lead.id == LeadContact.lead_id)
        .where(in_window, completed)
    ).scalar()
    return Enrichment(
        completed=int(counts.get("completed", 0)),
        failed=int(counts.get("failed", 0)),
        skipped=int(counts.get("skipped", 0)),
        pending=int(counts.get("pending", 0)) + int(counts.get("running", 0)),
        average_seconds=round(float(average), 1) if average is not None else None,
        contacts=int(contacts or 0),
    )


def _uploads(session, workspace_id, start, end) -> list[PlatformUploads]:
    """Batches and leads sent from the upload log; leads uploaded from the leads' own record
    (marked at the moment their batch was logged, so both fall in the same window)."""
    batches = session.execute(
        sa.select(
            PlatformUpload.platform,
            sa.func.count(),
            sa.func.sum(sa.case((PlatformUpload.status == "failed", 1), else_=0)),
            sa.func.sum(PlatformUpload.lead_count),
        )
        .where(
            PlatformUpload.workspace_id == workspace_id,
            _in_window(PlatformUpload.created_at, start, end),
        )
        .group_by(PlatformUpload.platform)
    ).all()
    uploaded = session.execute(
        sa.select(Lead.upload_platform, sa.func.count())
        .where(
            Lead.workspace_id == workspace_id,
            Lead.uploaded.is_(True),
            _in_window(Lead.uploaded_at, start, end),
        )
        .group_by(Lead.upload_platform)
    ).all()
    rows: dict[str, PlatformUploads] = {}
    for platform, count, failed, leads in batches:
        rows[platform] = PlatformUploads(
            platform, leads_sent=int(leads or 0), batches=int(count), failed_batches=int(failed)
        )
    for platform, count in uploaded:
        row = rows.setdefault(platform or "unknown", PlatformUploads(platform or "unknown"))
        row.leads_uploaded = int(count)
    return sorted(rows.values(), key=lambda r: (-r.leads_uploaded, -r.leads_sent, r.name))


def _deliveries(session, workspace_id, start, end) -> list[Rate]:
    rows = session.execute(
        sa.select(LeadDelivery.channel, LeadDelivery.status, sa.func.count())
        .where(
            LeadDelivery.workspace_id == workspace_id,
            _in_window(LeadDelivery.created_at, start, end),
        )
        .group_by(LeadDelivery.channel, LeadDelivery.status)
    ).all()
    rates: dict[str, Rate] = {}
    for channel, status, n in rows:
        rate = rates.setdefault(channel, Rate(channel))
        if status == "sent":
            rate.succeeded += int(n)
        elif status in ("failed", "unknown"):  # unknown: a send a stopped worker began
            rate.failed += int(n)
        elif status == "skipped":
            rate.skipped += int(n)
        # "sending": under way, neither a success nor a failure yet
    order = {"email": 0, "slack": 1, "webhook": 2}
    return sorted(rates.values(), key=lambda r: (order.get(r.name, 9), r.name))


def _failures(session, workspace_id, start, end) -> list[tuple[str, int]]:
    """Failed runs of the pipeline's jobs (a provider that kept failing past its retries)."""
    rows = session.execute(
        sa.select(JobRun.kind, sa.func.count())
        .where(
            JobRun.workspace_id == workspace_id,
            JobRun.kind.like("pipeline.%"),
            JobRun.status == "failed",
            _in_window(JobRun.created_at, start, end),
        )
        .group_by(JobRun.kind)
        .order_by(sa.func.count().desc(), JobRun.kind)
    ).all()
    return [(kind, int(n)) for kind, n in rows]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    count: int


def day_chart(per_day: list[tuple[date, int]], width: float = 720, height: float = 160) -> dict:
    """Bars for the leads-per-day SVG (drawn on the server; no script)."""
    top = max((n for _, n in per_day), default=0) or 1
    slot = width / max(len(per_day), 1)
    gap = min(2.0, slot * 0.2)
    bars = []
    for i, (day, n) in enumerate(per_day):
        h = round(n * height / top, 2)
        bars.append(
            Bar(round(i * slot + gap / 2, 2), round(height - h, 2), round(slot - gap, 2), h, day, n)
        )
    return {"bars": bars, "width": width, "height": height, "top": top}
