"""The one input schema for lead fields: every way a lead comes in or changes uses it.

Capture (the JSON API and hosted forms), the New lead form, inline edits, the
timeline (notes, contacts, status notes, API activities), tags, and the CSV import
and discovery to come all check their input here, against one table of limits,
`FIELD_LIMITS`, with one normaliser for emails, phones, domains and web addresses
(webapp/services/normalize.py). A refusal is a ValidationFailed naming each field
and its reason, worded the same whichever way the value came in.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from webapp.models.leads import INTENTS, LEAD_TYPES, PRIORITIES, SOURCES, STATUSES, full_name_of
from webapp.services.errors import NUL_REASON, ValidationFailed, has_nul
from webapp.services.normalize import clean_domain, clean_email, clean_phone, clean_web_url

NOTE_LIMIT = 10_000
# The longest value each input field takes, in characters. The lead's columns match
# their widths in webapp/models/leads.py; the API's schema publishes these as maxLength.
FIELD_LIMITS: dict[str, int] = {
    # A lead's own fields.
    "first_name": 120,
    "last_name": 120,
    "full_name": 255,
    "email": 254,  # RFC 5321's longest address
    "phone": 40,  # as typed; stored as E.164
    "job_title": 255,
    "company_name": 255,
    "company_domain": 255,
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
    "message": NOTE_LIMIT,
    "notes": 50_000,  # the lead's notes field, not a timeline note
    "intent_explanation": 5_000,
    # What a capture form sends besides the lead's own fields.
    "name": 255,  # one box for the whole name: the full name
    "company": 255,  # the company name
    "page_url": 2_000,
    "utm_source": 255,
    "utm_medium": 255,
    "utm_campaign": 255,
    "utm_term": 255,
    "utm_content": 255,
    # The timeline and tags.
    "note": NOTE_LIMIT,  # a note, and the note sent with a status change (the API's "notes")
    "summary": NOTE_LIMIT,  # a logged call, e-mail or meeting
    "description": NOTE_LIMIT,  # an activity an API client logs
    "tags": 64,  # each tag
}
# Lead fields checked as plain text (the rest have a normaliser or a choice).
TEXT_FIELDS = (
    "first_name",
    "last_name",
    "full_name",
    "job_title",
    "company_name",
    "website",
    "linkedin_url",
    "city",
    "state",
    "country",
    "headquarters",
    "industry",
    "source_id",
    "search_query",
    "search_mode",
    "search_location",
    "search_industry",
    "search_tech_stack",
    "message",
    "notes",
    "intent_explanation",
)
CHOICES = {
    "type": LEAD_TYPES,
    "status": STATUSES,
    "priority": PRIORITIES,
    "intent": INTENTS,
    "source": SOURCES,
}
EDITABLE_FIELDS = (
    *TEXT_FIELDS,
    *CHOICES,
    "email",
    "phone",
    "company_domain",
    "employee_count",
    "revenue",
    "lead_score",
)
# A lead must say who or what it is: at least one of these, or it is an empty row.
IDENTIFYING_FIELDS = (
    "full_name",
    "first_name",
    "last_name",
    "company_name",
    "company_domain",
    "email",
    "phone",
    "website",
    "linkedin_url",
)
NEEDED = "a name, company, company domain, email, phone, website or LinkedIn URL"
EMAIL_REASON = f"must be an email address of at most {FIELD_LIMITS['email']} characters"
PHONE_REASON = "must be a phone number"
CENT = Decimal("0.01")


def _clean_int(value, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError("must be a whole number") from None
    if not low <= number <= high:
        raise ValueError(f"must be between {low} and {high}")
    return number


def _clean_revenue(value) -> Decimal:
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


def clean_text(field: str, value, limit: int | None = None) -> str | None:
    """Text of at most `limit` (FIELD_LIMITS[field]) characters, trimmed; None when empty."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("must be text")
    value = value.strip()
    limit = limit or FIELD_LIMITS[field]
    if len(value) > limit:
        raise ValueError(f"must be at most {limit} characters")
    if has_nul(value):
        raise ValueError(NUL_REASON)
    return value or None


def _clean_contact(field: str, value) -> str | None:
    """An email or a phone: text within its limit, then normalised."""
    if not isinstance(value, str) or len(value.strip()) > FIELD_LIMITS[field]:
        raise ValueError(EMAIL_REASON if field == "email" else PHONE_REASON)
    return clean_email(value) if field == "email" else clean_phone(value)


def _clean_one(field: str, value):
    if isinstance(value, str):
        value = value.strip()
    if value in ("", None):
        return None
    if field in ("email", "phone"):
        return _clean_contact(field, value)
    if field == "company_domain":
        return clean_domain(clean_text(field, value))
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
        return _clean_revenue(value)
    if field in TEXT_FIELDS:
        return clean_text(field, value)
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


def check_identified(values: dict) -> None:
    """The rule every new lead meets: it names at least one IDENTIFYING_FIELDS."""
    if not any(values.get(f) for f in IDENTIFYING_FIELDS):
        raise ValidationFailed({"name": f"A lead needs {NEEDED}."})


def clean_new_lead(data: dict) -> dict:
    """A new lead's fields: cleaned, the full name made up from its parts, identified."""
    values = clean_lead_fields(data)
    if not values.get("full_name"):  # the stored name My Leads shows and sorts by
        values["full_name"] = full_name_of(values.get("first_name"), values.get("last_name"))
    check_identified(values)
    return values


def clean_note(text, field: str = "note", required: bool = True) -> str | None:
    """A timeline text (note, summary, description): trimmed, within a note's limit.

    `field` names the input in an error; the status change's note is the API's "notes".
    """
    try:
        text = clean_text(field, text, FIELD_LIMITS["note"])
    except ValueError as exc:
        raise ValidationFailed({field: str(exc)}) from None
    if text is None and required:
        raise ValidationFailed({field: "is required"})
    return text


def clean_tag_names(names) -> list[str]:
    """Tag names from a list or "a, b": lower-case, spaces squeezed, each once."""
    if isinstance(names, str):
        names = names.split(",")
    cleaned = []
    for name in names:
        name = " ".join(str(name).split()).lower()
        if not name:
            continue
        if len(name) > FIELD_LIMITS["tags"]:
            raise ValidationFailed(
                {"tags": f"each tag must be at most {FIELD_LIMITS['tags']} characters"}
            )
        if has_nul(name):
            raise ValidationFailed({"tags": NUL_REASON})
        if name not in cleaned:
            cleaned.append(name)
    return cleaned
