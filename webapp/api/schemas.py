"""Every body the API reads or writes, declared once (pydantic v2).

The same classes validate requests (webapp.api.validation) and make the OpenAPI
document (webapp.api.openapi), so the two cannot drift apart. The shapes are the
outside contract of docs/contracts.md (capture, the admin lead API, /health),
extended, never narrowed. Each body is one object with its properties on it:
rules that JSON Schema says badly ("a name or a first/last name", "a note needs a
description") are enforced by the services and stated in the field descriptions.
"""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from webapp.models.forms import CAPTURE_SOURCES
from webapp.models.leads import INTENTS, LEAD_TYPES, PRIORITIES, SOURCES, STATUSES
from webapp.services.events.outbox import iso
from webapp.services.leads.changes import CLIENT_ACTIVITY_TYPES
from webapp.services.leads.filters import MAX_QUERY_LENGTH, SORTS
from webapp.services.leads.input import EMAIL_REASON, FIELD_LIMITS, PHONE_REASON
from webapp.services.leads.keyset import MAX_CURSOR_LENGTH

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_PAGE = 100_000
MAX_EMAIL_LENGTH = FIELD_LIMITS["email"]


def _choices(name: str, values) -> type[StrEnum]:
    return StrEnum(name, {value: value for value in values})


LeadStatus = _choices("LeadStatus", STATUSES)
LeadSource = _choices("LeadSource", SOURCES)
CaptureSource = _choices("CaptureSource", CAPTURE_SOURCES)
Priority = _choices("Priority", PRIORITIES)
Intent = _choices("Intent", INTENTS)
LeadType = _choices("LeadType", LEAD_TYPES)
ClientActivityType = _choices("ClientActivityType", CLIENT_ACTIVITY_TYPES)
# The owner sort needs a join that keyset paging does not follow: My Leads only.
LeadSort = _choices("LeadSort", [name for name in SORTS if name != "owner"])
SortDirection = _choices("SortDirection", ("asc", "desc"))

# PostgreSQL cannot store U+0000 in text: such text is refused (422), as everywhere.
NO_NUL = "^[^\\u0000]*$"


def Text(max_length: int):  # noqa: N802  (reads as a type in the declarations)
    """Text whose length and NUL rule the document states and the one input schema enforces
    (services/leads/input.py), so a client meets the same reason on every way in."""
    return Annotated[
        str, WithJsonSchema({"type": "string", "maxLength": max_length, "pattern": NO_NUL})
    ]


def QueryText(max_length: int):  # noqa: N802
    """A query parameter's text: checked here, since no service sees it before the SQL."""
    return Annotated[str, StringConstraints(max_length=max_length, pattern=NO_NUL)]


Timestamp = Annotated[
    datetime,
    PlainSerializer(iso, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class RequestBody(BaseModel):
    """A request body: blank text counts as no value, as in every form of the app."""

    model_config = ConfigDict(use_enum_values=True)

    # Reasons that replace the generic one for a field (e.g. which values it takes).
    error_messages: ClassVar[dict[str, str]] = {}

    @model_validator(mode="before")
    @classmethod
    def _blank_is_none(cls, data):
        if isinstance(data, dict):
            return {k: None if isinstance(v, str) and not v.strip() else v for k, v in data.items()}
        return data


# Requests ----------------------------------------------------------------------------


class CaptureRequest(RequestBody):
    """A website form's submission. Unknown fields are kept with the lead's raw data."""

    model_config = ConfigDict(extra="allow", use_enum_values=True)

    name: Text(FIELD_LIMITS["full_name"]) | None = Field(
        None,
        description="The person's name. A lead needs a name: send `name`, or `first_name` "
        "and/or `last_name` (422 naming `name` otherwise). A blank `name` is made from "
        "them; a `name` alone is split at its first space.",
    )
    email: Text(MAX_EMAIL_LENGTH) = Field(
        json_schema_extra={"format": "email"},
        description="Required. Trimmed and lower-cased; a second capture with the same "
        "address adds to that lead instead of making another.",
    )
    phone: Text(FIELD_LIMITS["phone"]) | None = Field(
        None, description="Stored in E.164 (+14155550100)."
    )
    company: Text(FIELD_LIMITS["company_name"]) | None = None
    message: Text(FIELD_LIMITS["message"]) | None = None
    source: CaptureSource | None = Field(None, description="Default: the form's source.")
    first_name: Text(FIELD_LIMITS["first_name"]) | None = None
    last_name: Text(FIELD_LIMITS["last_name"]) | None = None
    job_title: Text(FIELD_LIMITS["job_title"]) | None = None
    page_url: Text(FIELD_LIMITS["page_url"]) | None = None
    utm_source: Text(FIELD_LIMITS["utm_source"]) | None = None
    utm_medium: Text(FIELD_LIMITS["utm_medium"]) | None = None
    utm_campaign: Text(FIELD_LIMITS["utm_campaign"]) | None = None
    utm_term: Text(FIELD_LIMITS["utm_term"]) | None = None
    utm_content: Text(FIELD_LIMITS["utm_content"]) | None = None
    consent: bool | None = None
    form_key: str | None = Field(
        None, description="The form's public key, when not sent as X-Form-Key."
    )

    error_messages: ClassVar[dict[str, str]] = {
        "consent": "must be true or false",
        "email": EMAIL_REASON,
        "phone": PHONE_REASON,
    }


class StatusChange(RequestBody):
    status: LeadStatus = Field(description="The status to move the lead to.")
    notes: Text(FIELD_LIMITS["note"]) | None = Field(
        None, description="Why; kept on the status_changed activity."
    )
    expected_status: LeadStatus | None = Field(
        None,
        description="Optional precondition: answer 409 (with `current_status`) if the "
        "lead has moved to another status meanwhile. Null: no precondition.",
    )

    error_messages: ClassVar[dict[str, str]] = {
        "status": f"must be one of {', '.join(STATUSES)}",
        "expected_status": f"must be one of {', '.join(STATUSES)}, or null",
    }


class Assignment(RequestBody):
    assigned_to: uuid.UUID | None = Field(
        description="An active member's user id, or null to unassign. Required."
    )

    error_messages: ClassVar[dict[str, str]] = {"assigned_to": "must be a user id (a UUID) or null"}


class NewActivity(RequestBody):
    activity_type: ClientActivityType = Field(
        description="`note_added` (a note) or `contacted` (the lead was reached)."
    )
    description: Text(FIELD_LIMITS["description"]) | None = Field(
        None,
        description="The note's text: required, not blank, for `note_added` (422 naming "
        "`description` otherwise); optional for `contacted`.",
    )


class LeadListQuery(RequestBody):
    """The list's query parameters: My Leads' filter model, plus page or cursor paging.

    An empty parameter is no filter.
    """

    status: LeadStatus | None = Field(None, description="Only leads in this status.")
    source: LeadSource | None = Field(None, description="Only leads from this source.")
    assigned_to: Annotated[str, StringConstraints(max_length=36)] | None = Field(
        None,
        description="Only the leads of this user id; `none` for unassigned leads.",
    )
    type: LeadType | None = Field(None, description="Only people or only companies.")
    intent: Intent | None = Field(None, description="Only leads of this intent.")
    tag: QueryText(100) | None = Field(None, description="Only leads with this tag.")
    q: QueryText(MAX_QUERY_LENGTH) | None = Field(
        None, description="Text in the name, email, company or phone."
    )
    created_from: date | None = Field(None, description="Created on or after this day (UTC).")
    created_to: date | None = Field(None, description="Created on or before this day (UTC).")
    sort: LeadSort = Field(LeadSort.created, description="The order; ties go by id.")
    direction: SortDirection = Field(SortDirection.desc, description="Blanks sort last up.")
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    limit: int = Field(
        DEFAULT_LIMIT,
        ge=1,
        description=f"Items per page; a larger value is served as {MAX_LIMIT}.",
    )
    cursor: Annotated[str, StringConstraints(max_length=MAX_CURSOR_LENGTH)] | None = Field(
        None,
        description="Read on after the page that gave this `next_cursor` (send the same "
        "filters and sort); `page` is then not used. For reading every lead.",
    )

    @field_validator("assigned_to")
    @classmethod
    def _owner(cls, value: str | None) -> str | None:
        """`none` (any case) is the filter model's "unassigned"; else a user id."""
        if value is None or value.lower() == "none":
            return value and "unassigned"
        return str(uuid.UUID(value))

    error_messages: ClassVar[dict[str, str]] = {
        "assigned_to": "must be a user id, or 'none' for unassigned leads",
        "page": f"must be a whole number from 1 to {MAX_PAGE}",
        "limit": "must be a whole number of 1 or more",
    }


# Responses ---------------------------------------------------------------------------


class LeadSummary(BaseModel):
    id: uuid.UUID
    name: str = Field(description="The lead's display name.")
    email: str | None
    phone: str | None = Field(description="E.164.")
    company: str | None
    status: LeadStatus
    source: LeadSource
    priority: Priority
    assigned_to: uuid.UUID | None = Field(description="The owner's user id.")
    created_at: Timestamp
    updated_at: Timestamp


class LeadPage(BaseModel):
    items: list[LeadSummary]
    total: int = Field(ge=0, description="Every lead the filters match.")
    page: int = Field(ge=1, description="The page served (1 when read by cursor).")
    limit: int = Field(ge=1, le=MAX_LIMIT)
    next_cursor: str | None = Field(
        description="Send as `cursor` for the next page; null on the last page."
    )


class Activity(BaseModel):
    id: uuid.UUID
    lead_id: uuid.UUID
    activity_type: str = Field(description="created, status_changed, note_added, …")
    description: str | None
    performed_by: uuid.UUID | None = Field(description="A user id; null for the app itself.")
    created_at: Timestamp


class LeadDetail(LeadSummary):
    type: LeadType
    first_name: str | None
    last_name: str | None
    message: str | None
    job_title: str | None
    company_domain: str | None
    website: str | None
    linkedin_url: str | None
    city: str | None
    state: str | None
    country: str | None
    industry: str | None
    employee_count: int | None
    lead_score: int = Field(ge=0, le=100)
    intent: Intent
    tags: list[str]
    closed_at: Timestamp | None
    last_activity_at: Timestamp | None
    activities: list[Activity] = Field(description="Newest first; at most the 200 latest.")
    activities_total: int = Field(ge=0)


class StatusChanged(BaseModel):
    id: uuid.UUID
    status: LeadStatus
    updated_at: Timestamp


class Assigned(BaseModel):
    id: uuid.UUID
    assigned_to: uuid.UUID | None
    updated_at: Timestamp


class CaptureResult(BaseModel):
    id: uuid.UUID
    name: str
    email: str
    status: LeadStatus
    created_at: Timestamp


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    database: str
    redis: str
    failing: list[str] | None = Field(None, description="What is unavailable, when any is.")


class Error(BaseModel):
    """Every error answer of the API (4xx and 5xx) has this shape."""

    error: str = Field(description="A short title: 'Not valid', 'Not found', …")
    message: str = Field(description="What went wrong, for a person.")
    status: int = Field(description="The HTTP status code again.")
    errors: dict[str, list[str]] = Field(
        description="Each refused field (or header) and the reasons; empty when no "
        "field is to blame."
    )


class StatusConflict(Error):
    """An Error, with the status the lead is in now."""

    current_status: LeadStatus


# Lead lists (issue 15) -----------------------------------------------------------------

ListType = _choices("ListType", ("static", "dynamic"))


class NewLeadList(RequestBody):
    """A new static list; add leads to it from My Leads (or on its page)."""

    name: Text(255) = Field(description="Unique in the workspace.")
    description: Text(2000) | None = Field(None, description="What the list is for.")
    tags: list[Text(FIELD_LIMITS["tags"])] | None = Field(
        None, description="Tag names; stored lower-case, each once."
    )


class LeadListsQuery(RequestBody):
    """The lists' query parameters."""

    q: QueryText(200) | None = Field(None, description="Text in the name or description.")
    archived: bool = Field(False, description="Archived lists instead of the others.")


class ListMembersQuery(RequestBody):
    """A list's members, page by page, in the order they joined (newest first)."""

    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    limit: int = Field(
        DEFAULT_LIMIT,
        ge=1,
        description=f"Items per page; a larger value is served as {MAX_LIMIT}.",
    )

    error_messages: ClassVar[dict[str, str]] = {
        "page": f"must be a whole number from 1 to {MAX_PAGE}",
        "limit": "must be a whole number of 1 or more",
    }


class LeadListSummary(BaseModel):
    id: uuid.UUID
    name: str
    description: str | None
    type: ListType
    member_count: int = Field(ge=0, description="Exact, now (computed for a dynamic list).")
    campaign_count: int = Field(ge=0, description="Campaigns the list feeds.")
    tags: list[str]
    archived: bool
    created_by: str | None = Field(description="Who made it (name or email).")
    created_at: Timestamp


class LeadListPage(BaseModel):
    items: list[LeadListSummary] = Field(description="Newest first.")
    total: int = Field(ge=0)


class ListMember(BaseModel):
    lead_id: uuid.UUID
    name: str = Field(description="The lead's display name.")
    email: str | None
    company: str | None
    status: LeadStatus
    added_at: Timestamp | None = Field(description="Null for a dynamic list's members.")
    added_by: str | None = Field(description="Who added the lead (name or email).")
    note: str | None


class ListMemberPage(BaseModel):
    items: list[ListMember]
    total: int = Field(ge=0, description="Every member, exactly.")
    page: int = Field(ge=1)
    limit: int = Field(ge=1, le=MAX_LIMIT)


# Imports (issue 15) ---------------------------------------------------------------------

DuplicatePolicy = _choices("DuplicatePolicy", ("skip", "fill", "overwrite"))


class ImportUpload(BaseModel):
    """A multipart/form-data upload: the file, then how to read it (all but `file` optional)."""

    file: Annotated[bytes, WithJsonSchema({"type": "string", "format": "binary"})] = Field(
        description="A CSV (UTF-8, UTF-16 with BOM or Windows-1252; comma, semicolon, tab or "
        "pipe) or .xlsx file; the first row names the columns."
    )
    mapping: str | None = Field(
        None,
        description='JSON: a list with one choice per column, or an object {"header": '
        'choice}; a choice is a lead field (email, first_name, …), "raw" (kept in raw_data) '
        'or "ignore". Left out: guessed from the headers.',
    )
    duplicate_policy: DuplicatePolicy = Field(
        DuplicatePolicy.skip,
        description="A row matching a lead (by email, else LinkedIn URL, else phone): skip it, "
        "fill the lead's empty fields, or overwrite them with the file's non-empty values.",
    )
    list_id: uuid.UUID | None = Field(
        None, description="An existing static list the leads join (the way to add to a list)."
    )
    list_name: str | None = Field(
        None,
        description="Without list_id: the name of the NEW list the leads join; a new list is "
        "always created, never an existing one reused: a name already taken (archived lists "
        'included) gets a number, e.g. "Import – 2026-12-05 (2)". Default "Import – <date>", '
        'or "<campaign name> – Import – <date>" with campaign_id.',
        max_length=255,
    )
    source: LeadSource = Field(LeadSource.csv_import, description="The new leads' source.")
    tags: str | None = Field(None, description="Comma-separated tags added to every lead.")
    owner_id: uuid.UUID | None = Field(None, description="A member who owns the new leads.")
    campaign_id: uuid.UUID | None = Field(
        None, description="A campaign the filled list is then assigned to."
    )


class ImportStatus(BaseModel):
    id: uuid.UUID
    run_id: uuid.UUID | None = Field(description="The job run (GET /jobs/<id> in the app).")
    status: Literal["queued", "running", "finished", "failed", "cancelled", "reverted"]
    file_name: str
    file_format: Literal["csv", "xlsx"]
    encoding: str | None
    delimiter: str | None
    duplicate_policy: DuplicatePolicy
    list_id: uuid.UUID | None
    campaign_id: uuid.UUID | None
    total: int | None = Field(description="Rows in the file (an estimate until finished).")
    done: int = Field(ge=0)
    created: int = Field(ge=0)
    updated: int = Field(ge=0)
    skipped: int = Field(ge=0)
    invalid: int = Field(ge=0, description="Rows rejected; see …/errors.")
    rows_per_second: float | None
    created_at: Timestamp
    started_at: Timestamp | None
    finished_at: Timestamp | None
    reverted_at: Timestamp | None


class ImportErrorRow(BaseModel):
    line: int = Field(description="The row's first line in the file (the header is line 1).")
    reason: str
    values: dict[str, str] = Field(
        description="The row's values by header; `line` holds the raw text of a row that "
        "could not be read."
    )


class ImportErrors(BaseModel):
    import_id: uuid.UUID
    total: int = Field(ge=0)
    items: list[ImportErrorRow] = Field(description="By line; at most the first 10,000.")


# Campaigns (docs/contracts.md#lists-campaigns): read-only, with seed 003's stats.
CampaignStatus = _choices("CampaignStatus", ("draft", "active", "paused", "completed"))


class CampaignListQuery(RequestBody):
    """GET /api/v1/campaigns: page through the workspace's campaigns, newest first."""

    archived: bool = Field(False, description="true: the archived campaigns instead.")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class CampaignSummary(BaseModel):
    id: uuid.UUID
    name: str
    description: str | None
    status: CampaignStatus
    max_attempts: int = Field(ge=1, description="Attempts per lead unless a list overrides it.")
    starts_at: Timestamp | None
    ends_at: Timestamp | None
    is_archived: bool
    total_leads: int = Field(ge=0)
    contacted_leads: int = Field(ge=0)
    successful_leads: int = Field(ge=0)
    created_at: Timestamp
    updated_at: Timestamp


class CampaignPage(BaseModel):
    items: list[CampaignSummary]
    total: int = Field(ge=0)
    page: int = Field(ge=1)
    limit: int = Field(ge=1, le=MAX_LIMIT)


class CampaignListStats(BaseModel):
    lead_list_id: uuid.UUID
    name: str
    priority: int = Field(ge=1, description="1 is worked first.")
    max_attempts_override: int | None
    filter_criteria: dict[str, str | int | list[str]] | None = Field(
        description="The My Leads filter that narrows the list for this campaign."
    )
    is_active: bool
    total_leads: int = Field(ge=0)
    contacted_leads: int = Field(ge=0)
    successful_leads: int = Field(ge=0)
    conversion_rate: float | None = Field(
        description="successful / contacted in percent (two decimals); null when none contacted."
    )
    assigned_at: Timestamp | None
    completed_at: Timestamp | None


class CampaignDetail(CampaignSummary):
    queued_leads: int = Field(ge=0, description="Leads waiting in the queue now.")
    conversion_rate: float | None
    pledged_total: str = Field(description="Sum of pledged amounts, as a decimal string.")
    donated_total: str = Field(description="Sum of donated amounts, as a decimal string.")
    lists: list[CampaignListStats] = Field(description="By priority.")


# Pipeline: discover (seed 002) and admin triggers -------------------------------------

DiscoverMode = _choices("DiscoverMode", ("company",))
ScoredIntent = _choices("ScoredIntent", ("hot", "warm", "cold"))


class DiscoverRequest(RequestBody):
    """Seed 002's discover request: search the intent provider, optionally save."""

    query: Text(500) = Field(description="The topic to search for. Required.")
    mode: DiscoverMode = Field(
        DiscoverMode.company,
        description="`company`: companies showing intent (the only mode the intent "
        "provider offers).",
    )
    location: Text(255) | None = Field(None, description='"City, State, Country" or fewer.')
    industry: Text(255) | None = Field(None, description="One industry, or several by comma.")
    tech_stack: Text(500) | None = Field(None, description="Kept as the search context.")
    saveToDatabase: StrictBool = Field(  # noqa: N815  (seed 002's name; "yes" is refused)
        False,
        description="Store new companies as leads (one credit each); false stores nothing.",
    )
    limit: int = Field(25, ge=1, le=100, description="At most this many companies.")

    error_messages: ClassVar[dict[str, str]] = {
        "mode": "must be company",
        "saveToDatabase": "must be true or false",
        "limit": "must be a whole number between 1 and 100",
    }


class DiscoveredSignal(BaseModel):
    signal_type: str
    signal_strength: str | None = Field(description="The strength used for scoring.")
    detected_at: str | None
    source: str | None


class DiscoveredLead(BaseModel):
    """One company found, in seed 002's lead names."""

    id: uuid.UUID | None = Field(description="The lead's id when it is stored (saved or before).")
    type: Literal["COMPANY"]
    leadName: str | None  # noqa: N815
    company: str | None
    domain: str | None
    website: str | None
    industry: str | None
    employeeCount: int | None  # noqa: N815
    revenue: float | None
    location: str | None
    headquarters: str | None
    linkedinLink: str | None  # noqa: N815
    intent: ScoredIntent | None = Field(description="Null for a company that cannot be scored.")
    leadScore: int = Field(ge=0, le=100)  # noqa: N815
    intentExplanation: str | None  # noqa: N815
    signals: list[DiscoveredSignal]
    duplicate: bool = Field(description="The workspace had a lead for this domain already.")


class DiscoverResult(BaseModel):
    success: bool
    leads: list[DiscoveredLead]
    count: int = Field(ge=0)
    saved: int = Field(ge=0)
    duplicates: int = Field(ge=0, description="Companies whose domain was stored already.")
    searchId: str  # noqa: N815
    message: str | None = Field(None, description="Why saving stopped early, when it did.")


RunStatus = _choices("RunStatus", ("queued", "running", "succeeded", "failed", "cancelled"))


class JobRun(BaseModel):
    """A job run (the Jobs page's row): what every "run started" 202 answers, with a
    `Location` header equal to `url`, and what GET `url` answers while it runs."""

    run_id: uuid.UUID = Field(description="The job run (as `run_id` of an import).")
    kind: str = Field(description="`pipeline.discover_query`, `pipeline.enrich`, ….")
    status: RunStatus = Field(
        description="`queued` until a worker takes it; without Redis it has run already."
    )
    subject_type: str | None = Field(description="What it works on: `discovery_query`, `lead`.")
    subject_id: str | None = Field(description="The id of that query or lead.")
    counts: dict[str, int] = Field(description="What it did so far (created, updated, …).")
    message: str | None = Field(description="How it ended, in one sentence.")
    error: str | None = Field(description="Why it failed, when it did.")
    created_at: Timestamp
    started_at: Timestamp | None
    finished_at: Timestamp | None
    url: str = Field(description="This run in the API: poll it until `status` is final.")
