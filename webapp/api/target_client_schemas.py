"""Bodies of the target-client endpoints (seed 000, docs/contracts.md#target-client).

The seed's shapes exactly; fields marked *(ours)* extend them. Rules JSON Schema says
badly (a link needs a company_domain or a person_linkedin_url) are the service's,
stated in the descriptions.
"""

from __future__ import annotations

import uuid
from typing import Annotated, ClassVar

from pydantic import BaseModel, Field, WithJsonSchema

from webapp.api.schemas import NO_NUL, RequestBody, Text, Timestamp, _choices
from webapp.models.target_clients import TARGET_CLIENT_SOURCES
from webapp.services.target_clients.batch import MAX_BATCH
from webapp.services.target_clients.listing import MAX_LIST

MAX_OFFSET = 10**9  # beyond any stored count; keeps the number a database integer

TargetClientSource = _choices("TargetClientSource", TARGET_CLIENT_SOURCES)
SOURCES_REASON = f"must be one of {', '.join(TARGET_CLIENT_SOURCES)}"
TCD_DESCRIPTION = (
    "Required. The prospect being demoed to, as a domain (a URL or `www.` is reduced to "
    "the bare domain). 422 naming it when missing or not a domain."
)
Domain = Annotated[str, WithJsonSchema({"type": "string", "maxLength": 255, "pattern": NO_NUL})]


class _TargetClientRequest(RequestBody):
    target_client_domain: Domain = Field(description=TCD_DESCRIPTION)

    error_messages: ClassVar[dict[str, str]] = {"source": SOURCES_REASON}


class IngestRequest(_TargetClientRequest):
    first_name: Text(120) | None = None
    last_name: Text(120) | None = None
    work_email: Text(254) | None = Field(
        None,
        description="Looked up in core.people (trimmed, lower-cased). The same email again "
        "for the same target client is the same lead.",
    )
    company_domain: Domain | None = Field(None, description="Looked up in core.companies.")
    source: TargetClientSource | None = Field(None, description="Default: contact_form.")


class IngestResult(BaseModel):
    success: bool
    lead_id: uuid.UUID
    person_id: uuid.UUID | None = Field(description="The target-client person row.")
    company_id: uuid.UUID | None = Field(description="The target-client company row.")
    core_company_id: uuid.UUID | None = Field(description="Null when not found in core.")
    core_person_id: uuid.UUID | None = Field(description="Null when not found in core.")


class ListRequest(_TargetClientRequest):
    source: TargetClientSource | None = Field(None, description="Only leads from this source.")
    limit: int = Field(
        MAX_LIST, ge=1, le=MAX_LIST, description="*(ours)* At most this many, oldest first."
    )
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="*(ours)* Skip this many first.")

    error_messages: ClassVar[dict[str, str]] = {
        "source": SOURCES_REASON,
        "limit": f"must be a whole number from 1 to {MAX_LIST}",
        "offset": f"must be a whole number from 0 to {MAX_OFFSET}",
    }


class EnrichedCompany(BaseModel):
    name: str | None
    industry: str | None
    employee_count: int | None
    city: str | None


class EnrichedPerson(BaseModel):
    title: str | None
    seniority: str | None
    department: str | None


class ListedLead(BaseModel):
    id: uuid.UUID
    full_name: str | None
    work_email: str | None
    company_domain: str | None
    core_company_id: uuid.UUID | None
    core_person_id: uuid.UUID | None
    enriched_company: EnrichedCompany | None = Field(description="Null without a core company.")
    enriched_person: EnrichedPerson | None = Field(description="Null without a core person.")
    source: str = Field(description="*(ours)*")
    created_at: Timestamp = Field(description="*(ours)*")


class ListResult(BaseModel):
    success: bool
    count: int = Field(ge=0, description="How many leads are in `leads`.")
    leads: list[ListedLead]


class LinkRequest(_TargetClientRequest):
    company_domain: Domain | None = Field(
        None, description="The core company's domain. Send it, person_linkedin_url or both."
    )
    person_linkedin_url: Text(500) | None = Field(
        None,
        description="The core person's LinkedIn URL, any form (`https://www.linkedin.com/in/"
        "x/` is `linkedin.com/in/x`). Linking a person again gives the existing lead.",
    )
    source: TargetClientSource | None = Field(None, description="Default: demo.")


class LinkResult(BaseModel):
    success: bool
    lead_id: uuid.UUID
    core_company_id: uuid.UUID | None
    core_person_id: uuid.UUID | None
    company_found: bool
    person_found: bool


class BatchRow(BaseModel):
    person_email: Text(254) = Field(description="Looked up in core.people.")
    company_domain: Domain | None = Field(
        None, description="The company; default: the core person's company."
    )


class LinkBatchRequest(_TargetClientRequest):
    source: TargetClientSource | None = Field(None, description="Default: csv_import.")
    leads: list[BatchRow] = Field(
        description=f"At most {MAX_BATCH:,} rows (413 beyond). A row whose email is not in "
        "core fails alone (its result says why); so does a malformed row (not an object, "
        "person_email missing or not text, company_domain not text): its result's `error` "
        "names the field and the reason. The others are linked."
    )


class BatchRowResult(BaseModel):
    index: int = Field(ge=0, description="The row's position in `leads`, from 0.")
    success: bool
    lead_id: uuid.UUID | None = Field(None, description="Present when success is true.")
    person_found: bool | None = Field(None, description="Present when success is true.")
    company_found: bool | None = Field(None, description="Present when success is true.")
    error: str | None = Field(
        None,
        description="Present when success is false, e.g. 'No matching person found in "
        "core.people'.",
    )


class LinkBatchResult(BaseModel):
    success: bool
    total: int = Field(ge=0)
    linked: int = Field(ge=0)
    failed: int = Field(ge=0)
    results: list[BatchRowResult]


REQUESTS = (IngestRequest, ListRequest, LinkRequest, LinkBatchRequest)
RESPONSES = (IngestResult, ListResult, LinkResult, LinkBatchResult)
