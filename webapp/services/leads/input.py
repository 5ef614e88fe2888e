"""Validating and normalising lead fields, the same for every way a lead comes in."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from webapp.models.leads import INTENTS, LEAD_TYPES, PRIORITIES, SOURCES, STATUSES
from webapp.services.errors import NUL_REASON, ValidationFailed, has_nul
from webapp.services.normalize import clean_domain, clean_email, clean_phone, clean_web_url

TEXT_LIMITS = {
    "first_name": 120,
    "last_name": 120,
    "full_name": 255,
    "job_title": 255,
    "company_name": 255,
    "website": 500,
    "linkedin_url": 500,
    "city": 120,
    "state": 120,
    "country": 120,
    "headquarters": 255,
    "industry": 120,
    "source_id": 255,
    "search_query": 500,
    "search_mode": 32,
    "search_location": 255,
    "search_industry": 255,
    "search_tech_stack": 500,
    "message": 10_000,
    "notes": 50_000,
    "intent_explanation": 5_000,
}
FIELD_LIMITS = TEXT_LIMITS  # the one table of lead-field lengths (the API's maxLength too)
CHOICES = {
    "type": LEAD_TYPES,
    "status": STATUSES,
    "priority": PRIORITIES,
    "intent": INTENTS,
    "source": SOURCES,
}
EDITABLE_FIELDS = (
    *TEXT_LIMITS,
    *CHOICES,
    "email",
    "phone",
    "company_domain",
    "employee_count",
    "revenue",
    "lead_score",
)
CENT = Decimal("0.01")


def _clean_int(value, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError("must be a whole number") from None
    if not low <= number <= high:
        raise ValueError(f"must be between {low} and {high}")
    return number


def _clean_one(field: str, value):
    if isinstance(value, str):
        value = value.strip()
    if value in ("", None):
        return None
    if field == "email":
        return clean_email(value)
    if field == "phone":
        return clean_phone(value)
    if field == "company_domain":
        return clean_domain(value)
    if field in ("website", "linkedin_url") and isinstance(value, str):
        value = clean_web_url(value)  # then checked as text below
    if field in CHOICES:
        if value not in CHOICES[field]:
            raise ValueError(f"must be one of {', '.join(CHOICES[field])}")
        return value
    if field == "employee_count":
        return _clean_int(value, 0, 10_000_000)
    if field == "lead_score":
        return _clean_int(value, 0, 100)
    if field == "revenue":
        try:
            amount = Decimal(str(value).replace(",", ""))
        except InvalidOperation:
            raise ValueError("must be a number") from None
        if not amount.is_finite():  # NaN and Infinity parse as Decimals too
            raise ValueError("must be a number")
        if 0 <= amount < Decimal("1e14"):
            amount = amount.quantize(CENT, ROUND_HALF_UP)  # as it is stored: to the cent
        # Under 10^13 every cent is exact on SQLite too, which stores it as a double.
        if not 0 <= amount < Decimal("1e13"):
            raise ValueError("must be at least 0 and under 10,000,000,000,000")
        return amount
    if field in TEXT_LIMITS:
        value = str(value)
        if len(value) > TEXT_LIMITS[field]:
            raise ValueError(f"must be at most {TEXT_LIMITS[field]} characters")
        if has_nul(value):
            raise ValueError(NUL_REASON)
        return value
    raise ValueError("is not a lead field")


def clean_lead_fields(data: dict, fields=EDITABLE_FIELDS) -> dict:
    """Clean the known fields present in `data`; raise ValidationFailed naming each bad one.

    Empty values come back as None so callers can tell "cleared" from "absent".
    """
    cleaned, errors = {}, {}
    for field in fields:
        if field not in data:
            continue
        try:
            cleaned[field] = _clean_one(field, data[field])
        except ValueError as exc:
            errors[field] = str(exc)
    if errors:
        raise ValidationFailed(errors)
    return cleaned
