"""The OpenAPI 3.1 document for every endpoint of the lead API (seed 004 shapes, extended).

Served at GET /api/v1/openapi.json. Kept as data next to the code so a change
to an endpoint and to its description land in the same commit; the
schemathesis test holds the two together.
"""

from __future__ import annotations

import copy

from webapp.models.leads import SOURCES, STATUSES
from webapp.openapi_schemas import SCHEMAS, ref
from webapp.services.api_leads import MAX_LIMIT, MAX_PAGE


def _json(schema_name: str, description: str, headers: dict | None = None) -> dict:
    response = {
        "description": description,
        "content": {"application/json": {"schema": ref(schema_name)}},
    }
    if headers:
        response["headers"] = headers
    return response


RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "string"},
    }
}
UNAUTHORIZED = _json(
    "Error",
    "No token, or the token is unknown or revoked.",
    {
        "WWW-Authenticate": {
            "description": 'Always `Bearer`, with `error="invalid_token"` for a bad token.',
            "schema": {"type": "string"},
        }
    },
)
TOO_MANY = _json("Error", "Over the rate limit.", RETRY_AFTER)

LEAD_ID = {
    "name": "lead_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "format": "uuid"},
}


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _admin_operation(summary: str, responses: dict, **extra) -> dict:
    """An operation of the admin API: bearer token, JSON errors, per-token rate limit."""
    common = {
        "401": UNAUTHORIZED,
        "404": _json("Error", "No such lead in the token's workspace."),
        "429": TOO_MANY,
    }
    return {
        "summary": summary,
        "tags": ["Admin API"],
        "security": [{"bearerAuth": []}],
        "responses": {**responses, **common},
        **extra,
    }


def _json_body(schema_name: str) -> dict:
    return {
        "required": True,
        "content": {"application/json": {"schema": ref(schema_name)}},
    }


def _body_errors() -> dict:
    return {
        "400": _json("Error", "The body is not a JSON object."),
        "422": _json("ValidationError", "A field was refused; `errors` says which and why."),
    }


LIST_PARAMETERS = [
    # Empty is no filter, as in `?status=&source=&assigned_to=`.
    _query(
        "status",
        {"type": "string", "enum": ["", *STATUSES]},
        "Only leads in this status (empty: any).",
    ),
    _query(
        "source",
        {"type": "string", "enum": ["", *SOURCES]},
        "Only leads from this source (empty: any).",
    ),
    _query(
        "assigned_to",
        {"anyOf": [{"type": "string", "format": "uuid"}, {"enum": ["none", ""]}]},
        "Only leads of this user id; `none` for unassigned leads (empty: anyone's).",
    ),
    _query(
        "page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        "Page number, from 1.",
    ),
    _query(
        "limit",
        {"type": "integer", "minimum": 1, "default": 20},
        f"Items per page; a larger value is served as {MAX_LIMIT}.",
    ),
]

CAPTURE_OPERATION = {
    "summary": "Capture a lead from a website form (public)",
    "tags": ["Capture"],
    "security": [],
    "parameters": [
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
    ],
    "requestBody": _json_body("CaptureRequest"),
    "responses": {
        "201": _json("CaptureResult", "Captured (or folded into the lead with that email)."),
        "400": _json("Error", "The body is not a JSON object."),
        "403": _json("Error", "The Origin is not among the form's allowed websites."),
        "404": _json("Error", "Missing or unknown form key."),
        "409": _json("Error", "A request with this Idempotency-Key is still being handled."),
        "413": _json("Error", "The body is larger than 64 KB."),
        "422": _json("ValidationError", "A field was refused; `errors` says which and why."),
        "429": _json("Error", "More posts from this address than the form allows.", RETRY_AFTER),
    },
}

PATHS = {
    "/api/v1/leads": {
        "get": _admin_operation(
            "List leads",
            {
                "200": _json("LeadPage", "One page of leads, newest first."),
                "422": _json("ValidationError", "A filter or paging value was refused."),
            },
            parameters=LIST_PARAMETERS,
        ),
        "post": CAPTURE_OPERATION,
    },
    "/api/v1/leads/{lead_id}": {
        "parameters": [LEAD_ID],
        "get": _admin_operation(
            "A lead with its activities",
            {"200": _json("LeadDetail", "The lead.")},
        ),
    },
    "/api/v1/leads/{lead_id}/status": {
        "parameters": [LEAD_ID],
        "patch": _admin_operation(
            "Move a lead to another status",
            {
                "200": _json("StatusChanged", "The lead's status now."),
                "409": _json("Conflict", "`expected_status` no longer matches the lead."),
                **_body_errors(),
            },
            requestBody=_json_body("StatusChange"),
        ),
    },
    "/api/v1/leads/{lead_id}/assign": {
        "parameters": [LEAD_ID],
        "post": _admin_operation(
            "Assign a lead to a member, or unassign it",
            {"200": _json("Assigned", "Who has the lead now."), **_body_errors()},
            requestBody=_json_body("Assignment"),
        ),
    },
    "/api/v1/leads/{lead_id}/activities": {
        "parameters": [LEAD_ID],
        "post": _admin_operation(
            "Log a note or a contact on the lead's timeline",
            {"201": _json("Activity", "The activity as stored."), **_body_errors()},
            requestBody=_json_body("NewActivity"),
        ),
    },
    "/health": {
        "get": {
            "summary": "Is the app able to serve",
            "tags": ["Operations"],
            "security": [],
            "responses": {
                "200": _json("Health", "Database and Redis answer."),
                "503": _json("Health", "A dependency is unavailable; `failing` names it."),
            },
        }
    },
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Leadkeeper lead API",
        "version": "1.0.0",
        "description": (
            "Public lead capture for website forms, and the admin API for working leads. "
            "Admin calls carry `Authorization: Bearer <token>` (Settings → API tokens); the "
            "token's workspace scopes every call, and a lead of another workspace is a 404. "
            "Errors are JSON. Timestamps are ISO 8601 in UTC (`Z`)."
        ),
    },
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
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
    return copy.deepcopy(DOCUMENT)
