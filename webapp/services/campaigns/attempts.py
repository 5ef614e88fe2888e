"""Recording a call attempt on a campaign lead: the values, the history, the counters."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Campaign, CampaignLead, CampaignLeadList, Lead, User
from webapp.models.base import utcnow
from webapp.models.campaigns import CAMPAIGN_LEAD_STATUSES, QUEUE_STATUSES, CampaignLeadAttempt
from webapp.services.campaigns.assignment import (
    CONTACTED_STATUSES,
    SUCCESS_STATUS,
    attempts_limit,
)
from webapp.services.errors import NUL_REASON, Conflict, ValidationFailed, has_nul
from webapp.services.leads.timeline import add_activity

OUTCOME_MAX = 100
AMOUNT_MAX = Decimal("999999999999.99")
SECONDS_MAX = 7 * 24 * 3600


@dataclass
class AttemptInput:
    status: str
    outcome: str | None = None
    pledged_amount: Decimal | None = None
    donated_amount: Decimal | None = None
    talk_time: int | None = None
    call_duration: int | None = None
    next_attempt_at: datetime | None = None


def _amount(value, field: str, errors: dict) -> Decimal | None:
    text = str(value or "").strip().replace(",", "")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        errors[field] = "must be an amount, e.g. 25.00"
        return None
    if not amount.is_finite() or amount < 0 or amount > AMOUNT_MAX:
        errors[field] = "must be an amount from 0 to 999,999,999,999.99"
        return None
    return amount.quantize(Decimal("0.01"))


def _seconds(value, field: str, errors: dict) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        errors[field] = "must be a whole number of seconds"
        return None
    if not 0 <= number <= SECONDS_MAX:
        errors[field] = f"must be between 0 and {SECONDS_MAX} seconds"
        return None
    return number


def _moment(value, timezone: str, errors: dict) -> datetime | None:
    """A local date and time as a datetime-local field sends it (YYYY-MM-DDTHH:MM)."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        errors["next_attempt_at"] = "must be a date and time (YYYY-MM-DDTHH:MM)"
        return None
    if moment.tzinfo is None:
        try:
            moment = moment.replace(tzinfo=ZoneInfo(timezone))
        except (KeyError, ValueError):
            moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment


def clean_attempt(form, timezone: str = "UTC") -> AttemptInput:
    errors: dict[str, str] = {}
    status = str(form.get("status") or "").strip()
    if status not in CAMPAIGN_LEAD_STATUSES:
        errors["status"] = f"must be one of {', '.join(CAMPAIGN_LEAD_STATUSES)}"
    outcome = str(form.get("outcome") or "").strip() or None
    if outcome and len(outcome) > OUTCOME_MAX:
        errors["outcome"] = f"must be at most {OUTCOME_MAX} characters"
    elif has_nul(outcome):
        errors["outcome"] = NUL_REASON
    result = AttemptInput(
        status=status,
        outcome=outcome,
        pledged_amount=_amount(form.get("pledged_amount"), "pledged_amount", errors),
        donated_amount=_amount(form.get("donated_amount"), "donated_amount", errors),
        talk_time=_seconds(form.get("talk_time"), "talk_time", errors),
        call_duration=_seconds(form.get("call_duration"), "call_duration", errors),
        next_attempt_at=_moment(form.get("next_attempt_at"), timezone, errors),
    )
    if errors:
        raise ValidationFailed(errors)
    return result


def _delta(status: str) -> tuple[int, int]:
    return int(status in CONTACTED_STATUSES), int(status == SUCCESS_STATUS)


def record_attempt(
    session: Session,
    campaign: Campaign,
    campaign_lead: CampaignLead,
    user_id: uuid.UUID | None,
    values: AttemptInput,
) -> CampaignLeadAttempt:
    """Count one attempt: the lead's values, a history row, its list's counters, the lock.

    A lead held by another rep (lock not expired) is a Conflict. A lead left waiting
    after its list's (or the campaign's) max attempts leaves the queue as failed.
    """
    now = utcnow()
    if (
        campaign_lead.locked_by_id not in (None, user_id)
        and campaign_lead.locked_until
        and campaign_lead.locked_until >= now
    ):
        raise Conflict("Another rep is working this lead now.")
    link = session.execute(
        select(CampaignLeadList).where(
            CampaignLeadList.campaign_id == campaign.id,
            CampaignLeadList.lead_list_id == campaign_lead.lead_list_id,
        )
    ).scalar()
    old_status = campaign_lead.status
    campaign_lead.attempts += 1
    campaign_lead.last_attempt_at = now
    campaign_lead.status = values.status
    if values.outcome is not None:
        campaign_lead.outcome = values.outcome
    if values.pledged_amount is not None:
        campaign_lead.pledged_amount = values.pledged_amount
    if values.donated_amount is not None:
        campaign_lead.donated_amount = values.donated_amount
    campaign_lead.total_talk_time = (campaign_lead.total_talk_time or 0) + (values.talk_time or 0)
    if values.call_duration is not None:
        campaign_lead.last_call_duration = values.call_duration
    campaign_lead.next_attempt_at = values.next_attempt_at or now
    campaign_lead.locked_by_id = None
    campaign_lead.locked_until = None
    campaign_lead.exhausted_at = None
    if values.status in QUEUE_STATUSES and campaign_lead.attempts >= attempts_limit(campaign, link):
        campaign_lead.status = "failed"
        campaign_lead.exhausted_at = now
    if link is not None:
        (was_contacted, was_success), (contacted, success) = (
            _delta(old_status),
            _delta(campaign_lead.status),
        )
        link.contacted_leads += contacted - was_contacted
        link.successful_leads += success - was_success
    attempt = CampaignLeadAttempt(
        id=uuid.uuid4(),
        workspace_id=campaign.workspace_id,
        campaign_lead_id=campaign_lead.id,
        campaign_id=campaign.id,
        user_id=user_id,
        attempted_at=now,
        status=campaign_lead.status,
        outcome=values.outcome,
        pledged_amount=values.pledged_amount,
        donated_amount=values.donated_amount,
        talk_time=values.talk_time,
        call_duration=values.call_duration,
        next_attempt_at=values.next_attempt_at,
    )
    session.add(attempt)
    lead = session.get(Lead, campaign_lead.lead_id)
    summary = (
        f"Campaign “{campaign.name}”: attempt {campaign_lead.attempts}, {campaign_lead.status}"
    )
    if values.outcome:
        summary += f" ({values.outcome})"
    add_activity(
        session,
        lead,
        "contacted",
        summary,
        performed_by_id=user_id,
        data={"campaign_id": str(campaign.id), "attempt_id": str(attempt.id)},
    )
    session.flush()
    return attempt


def attempts_of(session: Session, campaign_lead_ids) -> dict:
    """campaign lead id -> its attempts, newest first, each with who made it."""
    ids = list(campaign_lead_ids)
    if not ids:
        return {}
    found: dict = {i: [] for i in ids}
    for attempt, user in session.execute(
        select(CampaignLeadAttempt, User)
        .outerjoin(User, User.id == CampaignLeadAttempt.user_id)
        .where(CampaignLeadAttempt.campaign_lead_id.in_(ids))
        .order_by(CampaignLeadAttempt.attempted_at.desc(), CampaignLeadAttempt.id.desc())
    ):
        found[attempt.campaign_lead_id].append((attempt, user))
    return found
