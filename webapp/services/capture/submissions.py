"""Public lead capture: validate a submission, guard against spam, store the lead.

A capture writes the lead, its activity and the LeadCreated event in the
caller's transaction; notifications go through a job after the commit.
"""

from __future__ import annotations

import contextlib
import math
import time
import uuid
from dataclasses import dataclass, field

from sqlalchemy import Row, event, select
from sqlalchemy.orm import Session

from webapp.models.base import utcnow
from webapp.models.forms import CAPTURE_SOURCES, CaptureForm, SpamSubmission
from webapp.models.leads import display_name
from webapp.services.errors import NotFound, ValidationFailed, has_nul
from webapp.services.events.outbox import iso
from webapp.services.leads.changes import assign_lead
from webapp.services.leads.input import clean_lead_fields, clean_text
from webapp.services.leads.timeline import (
    CaptureResult,
    DuplicateActivity,
    add_activity,
    create_lead,
)
from webapp.services.scoping import get_owned

# A form as the model or as find_form's cached row: the same attribute names.
FormSettings = CaptureForm | Row
FORM_CACHE_SECONDS = 5
FORM_CACHE_SIZE = 1000
_form_cache: dict[str, tuple[float, Row | None]] = {}
HONEYPOT_FIELD = "website_url"
FILL_TIME_FIELD = "_ts"  # page-load time in ms since the epoch, set by the form's script
MAX_FILL_SECONDS = 30 * 24 * 3600  # a page left open longer than this is not a page load
# What a form sends, as text; each is checked against FIELD_LIMITS.
FORM_TEXT_FIELDS = (
    "name",
    "first_name",
    "last_name",
    "company",
    "job_title",
    "message",
    "page_url",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
)


@dataclass
class CaptureOutcome:
    body: dict
    lead_id: uuid.UUID | None = None
    created: bool = False
    spam_reason: str | None = None
    notify: bool = field(default=False)


def find_form(session: Session, public_key: str | None) -> Row | None:
    """The active form with this key, as a read-only row (attributes named as on the model).

    Every capture needs it, so each process keeps it for FORM_CACHE_SECONDS; a change
    made through this process's ORM clears the cache at once, other processes see it
    within that time.
    """
    if not public_key or len(public_key) > 64 or has_nul(public_key):
        return None
    key = public_key.strip()
    cached = _form_cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < FORM_CACHE_SECONDS:
        return cached[1]
    form = session.execute(
        select(*CaptureForm.__table__.c).where(
            CaptureForm.public_key == key, CaptureForm.active.is_(True)
        )
    ).first()
    if len(_form_cache) >= FORM_CACHE_SIZE:
        _form_cache.clear()  # unknown keys posted in bulk must not grow it without end
    _form_cache[key] = (time.monotonic(), form)
    return form


def forget_cached_forms(*_) -> None:
    _form_cache.clear()


for _change in ("after_insert", "after_update", "after_delete"):
    event.listen(CaptureForm, _change, forget_cached_forms)


def _text(payload: dict, name: str, errors: dict) -> str | None:
    try:
        return clean_text(name, payload.get(name))
    except ValueError as exc:
        errors[name] = str(exc)
        return None


def _required(payload: dict, name: str) -> bool:
    value = payload.get(name)
    return value is None or (isinstance(value, str) and not value.strip())


def validate_submission(payload: dict, form: FormSettings) -> dict:
    """Map a submission to lead fields; ValidationFailed names each bad field.

    A form asks for a name and an email (more than a lead needs); each value is
    checked by the lead input schema, as every other way in checks it.
    """
    errors: dict[str, str] = {}
    texts = {name: _text(payload, name, errors) for name in FORM_TEXT_FIELDS}
    name = texts["name"] or " ".join(p for p in (texts["first_name"], texts["last_name"]) if p)
    if not name and "name" not in errors:
        errors["name"] = "is required"
    if _required(payload, "email"):
        errors["email"] = "is required"
    contacts = {k: payload[k] for k in ("email", "phone") if not _required(payload, k)}
    try:
        contacts = clean_lead_fields(contacts, ("email", "phone"))
    except ValidationFailed as exc:
        errors.update(exc.errors)
    source = payload.get("source") or form.default_source
    if source not in CAPTURE_SOURCES:
        errors["source"] = f"must be one of {', '.join(CAPTURE_SOURCES)}"
    consent = payload.get("consent")
    if consent is not None and not isinstance(consent, bool):
        if str(consent).lower() in ("true", "on", "yes", "1"):
            consent = True
        elif str(consent).lower() in ("false", "off", "no", "0", ""):
            consent = False
        else:
            errors["consent"] = "must be true or false"
    if errors:
        raise ValidationFailed(errors)
    first, last = texts["first_name"], texts["last_name"]
    if not (first or last):  # only a name: "Ada Lovelace" is Ada and Lovelace
        first, _, last = name.partition(" ")
        last = last.strip()
    return {
        "full_name": name,
        "first_name": first or None,
        "last_name": last or None,
        "email": contacts.get("email"),
        "phone": contacts.get("phone"),
        "company_name": texts["company"],
        "job_title": texts["job_title"],
        "message": texts["message"],
        "source": source,
    }


def spam_reason(
    payload: dict, form: FormSettings, now: float | None = None, fill_time_required=False
) -> str | None:
    """Why a submission looks automated, or None. Bots fill hidden fields and hurry.

    A form post must carry the page-load time (the hosted page renders it, the embed
    snippet's script sets it); a bot that drops it is held. JSON clients may leave it out.
    """
    if str(payload.get(HONEYPOT_FIELD) or "").strip():
        return "honeypot"
    stamp = payload.get(FILL_TIME_FIELD)
    if stamp in (None, ""):
        return "no fill time" if fill_time_required else None
    try:
        loaded_at = float(stamp) / 1000
    except (TypeError, ValueError):
        return "bad fill time"
    elapsed = (now or time.time()) - loaded_at
    if not math.isfinite(elapsed) or elapsed > MAX_FILL_SECONDS:
        return "bad fill time"  # not a time, or a page "loaded" in 1970
    if elapsed < form.min_fill_seconds:
        return "filled too fast"
    return None


def next_assignee(session: Session, form: FormSettings) -> uuid.UUID | None:
    """The owner, or the next rep in turn; the form row is locked so turns never repeat."""
    if form.assignment_mode == "owner":
        return form.owner_id
    if form.assignment_mode != "round_robin" or not form.round_robin_user_ids:
        return None
    locked = session.execute(
        select(CaptureForm).where(CaptureForm.id == form.id).with_for_update()
    ).scalar_one()
    reps = locked.round_robin_user_ids
    chosen = reps[locked.round_robin_cursor % len(reps)]
    locked.round_robin_cursor = (locked.round_robin_cursor + 1) % len(reps)
    return uuid.UUID(chosen)


def _answer(lead_id, name: str, email: str | None, status: str, created_at) -> dict:
    return {
        "id": str(lead_id),
        "name": name,
        "email": email,
        "status": status,
        "created_at": iso(created_at),
    }


def capture_submission(
    session: Session,
    form: FormSettings,
    payload: dict,
    ip_address: str | None = None,
    user_agent: str | None = None,
    fill_time_required: bool = False,
) -> CaptureOutcome:
    """Validate and store one submission; the caller commits. Raises ValidationFailed."""
    values = validate_submission(payload, form)
    reason = spam_reason(payload, form, fill_time_required=fill_time_required)
    if reason:
        session.add(
            SpamSubmission(
                workspace_id=form.workspace_id,
                form_id=form.id,
                payload=payload,
                reason=reason,
                ip_address=ip_address,
                user_agent=(user_agent or "")[:500] or None,
            )
        )
        # The same answer a person gets, so the bot learns nothing.
        body = _answer(uuid.uuid4(), values["full_name"], values["email"], "new", utcnow())
        return CaptureOutcome(body=body, spam_reason=reason)
    result = store_capture(session, form, values, payload)
    lead = result.summary
    body = _answer(lead.id, display_name(lead), lead.email, lead.status, lead.created_at)
    return CaptureOutcome(body=body, lead_id=lead.id, created=result.created, notify=True)


def store_capture(
    session: Session,
    form: FormSettings,
    values: dict,
    payload: dict,
    on_duplicate: DuplicateActivity | None = None,
    performed_by_id: uuid.UUID | None = None,
) -> CaptureResult:
    raw = {"form_id": str(form.id), "form_name": form.name, **payload}
    raw.pop(HONEYPOT_FIELD, None)
    result = create_lead(
        session,
        form.workspace_id,
        {**values, "source_id": str(form.id)},  # a new lead's only: never a fill-in field
        performed_by_id,
        on_duplicate=on_duplicate or DuplicateActivity("form_submitted"),
        raw_data=raw,
        # An assigned lead gets its owner in the same transaction as the lead.
        on_its_own=form.assignment_mode == "none",
    )
    if result.created:
        assignee = next_assignee(session, form)
        if assignee is not None:
            # A rep who left the workspace is skipped; the lead waits unassigned.
            with contextlib.suppress(ValidationFailed):
                assign_lead(session, result.lead, assignee, None)
    else:
        lead = result.lead
        submissions = list((lead.raw_data or {}).get("submissions", []))
        lead.raw_data = {**(lead.raw_data or {}), "submissions": [*submissions[-19:], raw]}
    return result


def release_spam_submission(
    session: Session,
    workspace_id: uuid.UUID,
    submission_id,
    performed_by_id: uuid.UUID | None,
    form_id: uuid.UUID | None = None,
) -> CaptureResult:
    """Turn a quarantined submission into a lead through the normal dedupe path."""
    submission = get_owned(session, SpamSubmission, workspace_id, submission_id)
    if submission.released_at or submission.dismissed_at:
        raise NotFound("submission")
    if form_id is not None and submission.form_id != form_id:
        raise NotFound("submission")
    values = validate_submission(submission.payload, submission.form)
    released = DuplicateActivity(
        "form_submitted",
        f"Released from the spam quarantine of {submission.form.name}",
        {"spam_submission_id": str(submission.id), "reason": submission.reason},
    )
    # Into an existing lead: that one activity says it all. A new lead: after "created".
    result = store_capture(
        session, submission.form, values, submission.payload, released, performed_by_id
    )
    if result.created:
        add_activity(
            session,
            result.lead,
            released.type,
            released.description,
            performed_by_id,
            released.data,
        )
    submission.released_at = utcnow()
    submission.released_lead_id = result.lead.id
    submission.released_by_id = performed_by_id
    return result
