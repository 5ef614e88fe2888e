"""The OpenAPI 3.1 document, made from the declared models (webapp.api.schemas).

Served at GET /api/v1/openapi.json. Schemas come from the same pydantic classes
that validate requests and shape answers; only the list of operations is written
here. Every 4xx/5xx answer is the one `Error` schema (StatusConflict adds a field).
"""

from __future__ import annotations

import copy
from functools import cache

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from webapp.api import schemas as s
from webapp.api import target_client_schemas as tc

REF = "#/components/schemas/{model}"
REQUESTS = (
    s.CaptureRequest,
    s.StatusChange,
    s.Assignment,
    s.NewActivity,
    s.LeadListQuery,
    s.ImportUpload,
    *tc.REQUESTS,
    s.DiscoverRequest,
)
# Query parameters declared as models: they become each operation's parameters.
QUERIES = (s.LeadListQuery, s.LeadListsQuery, s.ListMembersQuery, s.CampaignListQuery)
LIST_REQUESTS = (s.NewLeadList, s.LeadListsQuery, s.ListMembersQuery, s.CampaignListQuery)
RESPONSES = (
    s.LeadPage,
    s.LeadDetail,
    s.StatusChanged,
    s.Assigned,
    s.Activity,
    s.CaptureResult,
    s.Health,
    s.Error,
    s.StatusConflict,
    s.LeadListPage,
    s.LeadListSummary,
    s.ListMemberPage,
    s.ImportStatus,
    s.ImportErrors,
    s.CampaignPage,
    s.CampaignDetail,
    *tc.RESPONSES,
    s.DiscoverResult,
    s.JobRun,
)
ERROR_TITLES = {
    "400": "The body is not a JSON object (or not JSON that can be stored).",
    "401": "No token, or the token is unknown or revoked.",
    "403": "Not allowed.",
    "404": "No such lead in the token's workspace.",
    "409": "The request clashes with the current state.",
    "413": "The body is larger than allowed.",
    "422": "A field was refused; `errors` names each and why.",
    "429": "Over the rate limit; `Retry-After` says when to try again.",
    "500": "An unexpected error (logged); no details are given.",
    "502": "An outside provider (the intent-data provider) failed or refused.",
    "503": "The database is unavailable for a moment.",
}
MAX_BATCH_ROWS = 10_000
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string"}}}
LOCATION = {
    "Location": {
        "description": "The run in the API (its `url`): poll it until it has ended.",
        "schema": {"type": "string", "format": "uri"},
    }
}
WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "description": 'Always `Bearer`, with `error="invalid_token"` for a bad token.',
        "schema": {"type": "string"},
    }
}


class _NoFieldTitles(GenerateJsonSchema):
    """Titles on properties make generated clients name enums and types after them."""

    def field_title_should_be_set(self, schema) -> bool:
        return False


def _ref(model: type[BaseModel]) -> dict:
    return {"$ref": REF.format(model=model.__name__)}


def _json(model: type[BaseModel], description: str, headers: dict | None = None) -> dict:
    answer = {"description": description, "content": {"application/json": {"schema": _ref(model)}}}
    if headers:
        answer["headers"] = headers
    return answer


def _errors(*codes: str, **descriptions: str) -> dict:
    """Error answers, each the shared Error schema; every operation may answer 500/503."""
    answers = {}
    for code in (*codes, "500", "503"):
        headers = RETRY_AFTER if code == "429" else WWW_AUTHENTICATE if code == "401" else None
        text = descriptions.get(f"e{code}", ERROR_TITLES[code])
        answers[code] = _json(s.Error, text, headers)
    return answers


def _body(model: type[BaseModel]) -> dict:
    return {"required": True, "content": {"application/json": {"schema": _ref(model)}}}


def _admin(name: str, summary: str, answers: dict, *body_codes: str, **extra) -> dict:
    """An admin operation: bearer token, per-token rate limit, a lead of the workspace.

    Keyword arguments named e<code> word that error's answer for this operation.
    """
    texts = {k: extra.pop(k) for k in list(extra) if k.startswith("e") and k[1:].isdigit()}
    return {
        "operationId": name,
        "summary": summary,
        "tags": ["Admin API"],
        "security": [{"bearerAuth": []}],
        "responses": {
            **answers,
            **_errors(
                "401",
                "403",
                "404",
                "429",
                *body_codes,
                **{"e403": "The token is limited to the target-client endpoints.", **texts},
            ),
        },
        **extra,
    }


def _query_parameters(components: dict, query=s.LeadListQuery) -> list[dict]:
    """A query model's properties as query parameters (none required)."""
    model = components[query.__name__]
    parameters = []
    for name, schema in model["properties"].items():
        schema = dict(schema)
        description = schema.pop("description", "")
        if "default" in schema and schema["default"] is None:
            del schema["default"]
        branches = [b for b in schema.pop("anyOf", []) if b.get("type") != "null"]
        if branches:  # a nullable field: a parameter is simply left out instead
            schema = {**branches[0], **schema}
        parameters.append(
            {"name": name, "in": "query", "required": False, "schema": schema,
             "description": description}
        )  # fmt: skip
    return parameters


LEAD_ID = {"name": "lead_id", "in": "path", "required": True,
           "schema": {"type": "string", "format": "uuid"}}  # fmt: skip

QUERY_ID = {"name": "query_id", "in": "path", "required": True,
            "schema": {"type": "string", "format": "uuid"}}  # fmt: skip

RUN_ID = {"name": "run_id", "in": "path", "required": True,
          "schema": {"type": "string", "format": "uuid"}}  # fmt: skip

CAPTURE_HEADERS = [
    {
        "name": "X-Form-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": "The form's public key (or send `form_key` in the body).",
    },
    {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "maxLength": 255},
        "description": "A retry with the same key gets the first answer.",
    },
]


def _capture_operation() -> dict:
    answers = {
        "201": _json(s.CaptureResult, "Captured: a new lead."),
        "200": _json(s.CaptureResult, "Added to the lead that has this email already."),
        **_errors(
            "400",
            "403",
            "404",
            "409",
            "413",
            "422",
            "429",
            e403="The Origin is not among the form's allowed websites.",
            e404="Missing or unknown form key.",
            e409="A request with this Idempotency-Key is still being handled.",
            e413="The body is larger than 64 KB.",
            e429="More posts from this address than the form allows.",
        ),
    }
    return {
        "operationId": "captureLead",
        "summary": "Capture a lead from a website form (public)",
        "tags": ["Capture"],
        "security": [],
        "parameters": CAPTURE_HEADERS,
        "requestBody": _body(s.CaptureRequest),
        "responses": answers,
    }


def _target_client(name: str, summary: str, request, answer, description: str, *codes) -> dict:
    """A seed 000 operation: POST, bearer token (full or `target_client` scope)."""
    return {
        "post": {
            "operationId": name,
            "summary": summary,
            "description": description,
            "tags": ["Target clients"],
            "security": [{"bearerAuth": []}],
            "requestBody": _body(request),
            "responses": {
                "200": _json(answer, "Done."),
                **_errors(
                    "400",
                    "401",
                    "403",
                    "422",
                    "429",
                    *codes,
                    e403="The token may not call this endpoint.",
                    e404="Neither the company nor the person is in core.",
                    e413=f"More than {MAX_BATCH_ROWS:,} rows in `leads`.",
                ),
            },
        }
    }


def _target_client_paths() -> dict:
    base = "/run/target-client/leads"
    return {
        f"{base}/ingest": _target_client(
            "ingestTargetClientLead",
            "Store a raw lead of a target client and link it to core data",
            tc.IngestRequest,
            tc.IngestResult,
            "Looks up the core person by `work_email` and the core company by "
            "`company_domain` (else the person's company).",
        ),
        f"{base}/list": _target_client(
            "listTargetClientLeads",
            "A target client's leads with their enriched core company and person",
            tc.ListRequest,
            tc.ListResult,
            "Oldest first, optionally only one `source`.",
        ),
        f"{base}/link": _target_client(
            "linkTargetClientLead",
            "Make (or find) a target client's lead from core data",
            tc.LinkRequest,
            tc.LinkResult,
            "By `company_domain` and/or `person_linkedin_url`; 404 when neither is in core.",
            "404",
        ),
        f"{base}/link-batch": _target_client(
            "linkTargetClientLeadsBatch",
            "Link up to 10,000 leads by email at once (a CSV import)",
            tc.LinkBatchRequest,
            tc.LinkBatchResult,
            "A result per row, in order; a row whose email is not in core fails alone.",
            "413",
        ),
    }


def _paths(components: dict) -> dict:
    status_answers = {
        "200": _json(s.StatusChanged, "The lead's status now."),
        "409": _json(s.StatusConflict, "`expected_status` no longer matches the lead."),
    }
    return {
        "/api/v1/leads": {
            "get": _admin(
                "listLeads",
                "List leads, by page or by cursor",
                {"200": _json(s.LeadPage, "One page of leads, in the asked order.")},
                "422",
                parameters=_query_parameters(components),
            ),
            "post": _capture_operation(),
        },
        "/api/v1/leads/{lead_id}": {
            "parameters": [LEAD_ID],
            "get": _admin(
                "getLead", "A lead with its activities", {"200": _json(s.LeadDetail, "The lead.")}
            ),
        },
        "/api/v1/leads/{lead_id}/status": {
            "parameters": [LEAD_ID],
            "patch": _admin(
                "changeLeadStatus",
                "Move a lead to another status",
                status_answers,
                "400",
                "422",
                requestBody=_body(s.StatusChange),
            ),
        },
        "/api/v1/leads/{lead_id}/assign": {
            "parameters": [LEAD_ID],
            "post": _admin(
                "assignLead",
                "Assign a lead to a member, or unassign it",
                {"200": _json(s.Assigned, "Who has the lead now.")},
                "400",
                "422",
                requestBody=_body(s.Assignment),
            ),
        },
        "/api/v1/leads/{lead_id}/activities": {
            "parameters": [LEAD_ID],
            "post": _admin(
                "addLeadActivity",
                "Log a note or a contact on the lead's timeline",
                {"201": _json(s.Activity, "The activity as stored.")},
                "400",
                "422",
                requestBody=_body(s.NewActivity),
            ),
        },
        **_list_paths(components),
        **_import_paths(),
        **_campaign_paths(components),
        **_target_client_paths(),
        "/api/v1/leads/{lead_id}/enrich": {
            "parameters": [LEAD_ID],
            "post": _admin(
                "enrichLead",
                "Enrich the lead now (then deliver and upload it as usual)",
                {
                    "202": _json(
                        s.JobRun, "The enrichment run, started (or done, without Redis).", LOCATION
                    )
                },
                tags=["Pipeline"],
            ),
        },
        "/api/leads/discover": {
            "post": _admin(
                "discoverLeads",
                "Search the intent provider for companies; with saveToDatabase, store them",
                {"200": _json(s.DiscoverResult, "The companies found, scored; what was saved.")},
                "400",
                "422",
                "502",
                requestBody=_body(s.DiscoverRequest),
                tags=["Pipeline"],
            ),
        },
        "/api/v1/pipeline/queries/{query_id}/run": {
            "parameters": [QUERY_ID],
            "post": _admin(
                "runDiscoveryQuery",
                "Run a saved discovery query now",
                {"202": _json(s.JobRun, "The run, queued (or done, without Redis).", LOCATION)},
                e404="No such discovery query in the token's workspace.",
                tags=["Pipeline"],
            ),
        },
        "/api/v1/pipeline/runs/{run_id}": {
            "parameters": [RUN_ID],
            "get": _admin(
                "getPipelineRun",
                "A run of the pipeline (discovery, enrichment, delivery, upload) now",
                {"200": _json(s.JobRun, "The run now.")},
                e404="No such run of the pipeline in the token's workspace.",
                tags=["Pipeline"],
            ),
        },
        "/health": {
            "get": {
                "operationId": "getHealth",
                "summary": "Is the app able to serve",
                "tags": ["Operations"],
                "security": [],
                "responses": {
                    "200": _json(s.Health, "Database and Redis answer."),
                    "503": _json(s.Health, "A dependency is unavailable; `failing` names it."),
                },
            }
        },
    }


LIST_ID = {"name": "list_id", "in": "path", "required": True,
           "schema": {"type": "string", "format": "uuid"}}  # fmt: skip


def _list_paths(components: dict) -> dict:
    return {
        "/api/v1/lists": {
            "get": _admin(
                "listLeadLists",
                "The workspace's lead lists, newest first, with exact member counts",
                {"200": _json(s.LeadListPage, "The lists.")},
                "422",
                parameters=_query_parameters(components, s.LeadListsQuery),
            ),
            "post": _admin(
                "createLeadList",
                "Make a static lead list",
                {"201": _json(s.LeadListSummary, "The list as stored.")},
                "400",
                "422",
                requestBody=_body(s.NewLeadList),
            ),
        },
        "/api/v1/lists/{list_id}/members": {
            "parameters": [LIST_ID],
            "get": _admin(
                "listLeadListMembers",
                "A list's members, page by page (a dynamic list's: those matching now)",
                {"200": _json(s.ListMemberPage, "One page of members.")},
                "422",
                parameters=_query_parameters(components, s.ListMembersQuery),
            ),
        },
    }


IMPORT_ID = {"name": "import_id", "in": "path", "required": True,
             "schema": {"type": "string", "format": "uuid"}}  # fmt: skip


def _import_paths() -> dict:
    """Imports (issue 15): a multipart upload answered 202, then progress and errors."""
    upload = {
        "required": True,
        "content": {"multipart/form-data": {"schema": _ref(s.ImportUpload)}},
    }
    csv_report = {"schema": {"type": "string"}}
    return {
        "/api/v1/imports": {
            "post": _admin(
                "createImport",
                "Upload a CSV or .xlsx file to import (runs in the background)",
                {"202": _json(s.ImportStatus, "Accepted: the import and its run, queued.")},
                "400",
                "413",
                "422",
                e404="A list, owner or campaign named is not in the token's workspace.",
                e413="The file is larger than IMPORT_MAX_BYTES (100 MB by default).",
                e422="The file or a field was refused (not CSV, no header, no email, "
                "LinkedIn or phone column…); `errors` names it.",
                requestBody=upload,
            ),
        },
        "/api/v1/imports/{import_id}": {
            "parameters": [IMPORT_ID],
            "get": _admin(
                "getImport",
                "An import's progress and counts",
                {"200": _json(s.ImportStatus, "The import now.")},
                e404="No such import in the token's workspace.",
            ),
        },
        "/api/v1/imports/{import_id}/errors": {
            "parameters": [IMPORT_ID],
            "get": _admin(
                "getImportErrors",
                "The rejected rows: CSV (formula-safe), or JSON with Accept: application/json",
                {
                    "200": {
                        "description": "Each rejected row's line, reason and values.",
                        "content": {
                            "text/csv": csv_report,
                            "application/json": {"schema": _ref(s.ImportErrors)},
                        },
                    }
                },
                e404="No such import in the token's workspace.",
            ),
        },
    }


CAMPAIGN_ID = {"name": "campaign_id", "in": "path", "required": True,
               "schema": {"type": "string", "format": "uuid"}}  # fmt: skip


def _campaign_paths(components: dict) -> dict:
    return {
        "/api/v1/campaigns": {
            "get": _admin(
                "listCampaigns",
                "List campaigns with their lead counts",
                {"200": _json(s.CampaignPage, "One page of campaigns, newest first.")},
                "422",
                parameters=_query_parameters(components, s.CampaignListQuery),
            )
        },
        "/api/v1/campaigns/{campaign_id}": {
            "parameters": [CAMPAIGN_ID],
            "get": _admin(
                "getCampaign",
                "A campaign with its lists' stats and totals",
                {"200": _json(s.CampaignDetail, "The campaign.")},
            ),
        },
    }


DESCRIPTION = (
    "Public lead capture for website forms, and the admin API for working leads. Admin "
    "calls carry `Authorization: Bearer <token>` (Settings → API tokens); the token's "
    "workspace scopes every call, and a lead of another workspace is a 404. Every error "
    "answer is an `Error`: `{error, message, status, errors: {field: [reasons]}}`. "
    "Timestamps are ISO 8601 in UTC (`Z`). The list reads by `page` and `limit`, or "
    "by `cursor`: send each answer's `next_cursor` until it is null to read every lead."
)


@cache
def _document() -> dict:
    _, defs = models_json_schema(
        [(model, "validation") for model in (*REQUESTS, *LIST_REQUESTS)]
        + [(model, "serialization") for model in RESPONSES],
        ref_template=REF,
        schema_generator=_NoFieldTitles,
    )
    components = defs["$defs"]
    paths = _paths(components)
    for query in QUERIES:  # parameters, not bodies
        del components[query.__name__]
    return {
        "openapi": "3.1.0",
        "info": {"title": "Leadkeeper lead API", "version": "1.1.0", "description": DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token made in Settings → API tokens or with "
                    "`flask tokens create`.",
                }
            },
        },
    }


def openapi_document() -> dict:
    """A copy, so no caller can change the served document."""
    return copy.deepcopy(_document())
