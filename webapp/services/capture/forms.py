"""Capture forms: their settings, keys and spam quarantine."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models.base import utcnow
from webapp.models.forms import (
    ASSIGNMENT_MODES,
    CAPTURE_SOURCES,
    CaptureForm,
    SpamSubmission,
    new_public_key,
)
from webapp.services.errors import NotFound, ValidationFailed
from webapp.services.leads.changes import assignable_user
from webapp.services.normalize import clean_email
from webapp.services.pipeline_settings.urls import mask_secret_url
from webapp.services.scoping import get_owned

MAX_LIST_ITEMS = 20


def _lines(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace(",", "\n").splitlines()
    return [str(v).strip() for v in value if str(v).strip()]


def clean_origin(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an origin like https://www.example.com")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{value!r} must be only scheme://host[:port], without a path")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def _clean_url(value, field: str, errors: dict, schemes=("http", "https")) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.hostname or len(value) > 500:
        errors[field] = f"must be a {' or '.join(schemes)} URL of at most 500 characters"
        return None
    return value


def _clean_members(session, workspace_id, ids, field: str, errors: dict) -> list[str]:
    chosen = []
    for user_id in _lines(ids):
        try:
            chosen.append(str(assignable_user(session, workspace_id, user_id).id))
        except ValidationFailed:
            errors[field] = "must be active members of this workspace"
    return list(dict.fromkeys(chosen))


def clean_form_settings(session: Session, workspace_id: uuid.UUID, data: dict) -> dict:
    """Check every setting; raise ValidationFailed naming each bad field."""
    errors: dict[str, str] = {}
    values: dict = {}
    name = (data.get("name") or "").strip()
    if not name or len(name) > 120:
        errors["name"] = "is required, at most 120 characters"
    values["name"] = name
    origins = []
    for origin in _lines(data.get("allowed_origins"))[:MAX_LIST_ITEMS]:
        try:
            origins.append(clean_origin(origin))
        except ValueError as exc:
            errors["allowed_origins"] = str(exc)
    values["allowed_origins"] = list(dict.fromkeys(origins))
    source = data.get("default_source") or "website"
    if source not in CAPTURE_SOURCES:
        errors["default_source"] = f"must be one of {', '.join(CAPTURE_SOURCES)}"
    values["default_source"] = source
    mode = data.get("assignment_mode") or "none"
    if mode not in ASSIGNMENT_MODES:
        errors["assignment_mode"] = f"must be one of {', '.join(ASSIGNMENT_MODES)}"
    values["assignment_mode"] = mode
    values["owner_id"] = None
    if mode == "owner":
        try:
            values["owner_id"] = assignable_user(session, workspace_id, data.get("owner_id")).id
        except ValidationFailed:
            errors["owner_id"] = "must be an active member of this workspace"
    values["round_robin_user_ids"] = _clean_members(
        session, workspace_id, data.get("round_robin_user_ids"), "round_robin_user_ids", errors
    )
    if (
        mode == "round_robin"
        and not values["round_robin_user_ids"]
        and not errors.get("round_robin_user_ids")
    ):
        errors["round_robin_user_ids"] = "choose at least one rep to take turns"
    values["thank_you_url"] = _clean_url(data.get("thank_you_url"), "thank_you_url", errors)
    values["slack_webhook_url"] = _clean_url(
        data.get("slack_webhook_url"), "slack_webhook_url", errors, ("https",)
    )
    for field, low, high in (("rate_limit_per_hour", 1, 100_000), ("min_fill_seconds", 0, 600)):
        raw = str(data.get(field, "")).strip()
        if not raw:
            continue
        try:
            number = int(raw)
            if not low <= number <= high:
                raise ValueError
            values[field] = number
        except ValueError:
            errors[field] = f"must be a whole number from {low} to {high}"
    emails = []
    for email in _lines(data.get("notification_emails"))[:MAX_LIST_ITEMS]:
        try:
            emails.append(clean_email(email))
        except ValueError:
            errors["notification_emails"] = f"{email!r} is not an email address"
    values["notification_emails"] = emails
    if errors:
        raise ValidationFailed(errors)
    return values


def create_form(session: Session, workspace_id: uuid.UUID, data: dict) -> CaptureForm:
    form = CaptureForm(
        workspace_id=workspace_id, **clean_form_settings(session, workspace_id, data)
    )
    session.add(form)
    session.flush()
    return form


def update_form(session: Session, form: CaptureForm, data: dict) -> CaptureForm:
    """Change the form's settings. The Slack webhook URL is write-only, as in Settings →
    Delivery: blank (or its mask sent back) keeps it, `clear_slack` removes it."""
    saved = form.slack_webhook_url
    typed = (data.get("slack_webhook_url") or "").strip()
    keep = not data.get("clear_slack") and (
        not typed or bool(saved and typed == mask_secret_url(saved))
    )
    data = {**data, "slack_webhook_url": "" if keep or data.get("clear_slack") else typed}
    values = clean_form_settings(session, form.workspace_id, data)
    if keep:
        values["slack_webhook_url"] = saved
    for field, value in values.items():
        setattr(form, field, value)
    return form


def get_form(session: Session, workspace_id: uuid.UUID, form_id) -> CaptureForm:
    return get_owned(session, CaptureForm, workspace_id, form_id)


def list_forms(session: Session, workspace_id: uuid.UUID) -> list[CaptureForm]:
    return list(
        session.execute(
            select(CaptureForm)
            .where(CaptureForm.workspace_id == workspace_id)
            .order_by(CaptureForm.name)
        ).scalars()
    )


def set_form_active(form: CaptureForm, active: bool) -> None:
    """Switch a form on or off; a switched-off form's key finds nothing."""
    form.active = active


def delete_form(session: Session, form: CaptureForm) -> None:
    """Delete the form; the leads it captured stay."""
    session.delete(form)


def regenerate_key(form: CaptureForm) -> str:
    form.public_key = new_public_key()
    return form.public_key


def quarantined(session: Session, form: CaptureForm, limit: int = 100) -> list[SpamSubmission]:
    return list(
        session.execute(
            select(SpamSubmission)
            .where(
                SpamSubmission.form_id == form.id,
                SpamSubmission.released_at.is_(None),
                SpamSubmission.dismissed_at.is_(None),
            )
            .order_by(SpamSubmission.created_at.desc())
            .limit(limit)
        ).scalars()
    )


def _submission_id(submission_id) -> uuid.UUID:
    try:
        return uuid.UUID(str(submission_id))
    except ValueError:
        raise NotFound("submission") from None


def dismiss_submission(session: Session, form: CaptureForm, submission_id) -> SpamSubmission:
    wanted = _submission_id(submission_id)
    submission = session.execute(
        select(SpamSubmission).where(SpamSubmission.id == wanted, SpamSubmission.form_id == form.id)
    ).scalar()
    if submission is None:
        raise NotFound("submission")
    submission.dismissed_at = utcnow()
    return submission
