"""Schemas of the lead API's request and response bodies (OpenAPI 3.1 / JSON Schema)."""

from __future__ import annotations

from webapp.models.leads import PRIORITIES, SOURCES, STATUSES
from webapp.services.api_leads import MAX_LIMIT
from webapp.services.leads.changes import CLIENT_ACTIVITY_TYPES

CAPTURE_SOURCES = ("website", "referral", "social", "other")
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


# Text is refused (422) if it holds a NUL character: PostgreSQL cannot store one.
NO_NUL = "^[^\\u0000]*$"
NOT_BLANK = {"type": "string", "pattern": "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"}


def _nullable(kind: str, **extra) -> dict:
    return {"type": [kind, "null"], **extra}


def _text(max_length: int, nullable: bool = False, **extra) -> dict:
    kind = ["string", "null"] if nullable else "string"
    return {"type": kind, "maxLength": max_length, "pattern": NO_NUL, **extra}


SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string", "description": "A short title of the problem."},
            "message": {"type": "string", "description": "What went wrong, for a person."},
            "status": {"type": "integer"},
        },
    },
    "ValidationError": {
        "type": "object",
        "required": ["errors"],
        "properties": {
            "errors": {
                "type": "object",
                "description": "Each refused field and the reason.",
                "additionalProperties": {"type": "string"},
            }
        },
    },
    "Conflict": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string"},
            "message": {"type": "string"},
            "status": {"type": "integer"},
            "current_status": {"type": "string", "enum": list(STATUSES)},
        },
    },
    "LeadSummary": {
        "type": "object",
        "required": ["id", "name", "email", "status", "source", "created_at"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "name": {"type": "string", "description": "The lead's display name."},
            "email": _nullable("string"),
            "phone": _nullable("string", description="E.164"),
            "company": _nullable("string"),
            "status": {"type": "string", "enum": list(STATUSES)},
            "source": {"type": "string", "enum": list(SOURCES)},
            "priority": {"type": "string", "enum": list(PRIORITIES)},
            "assigned_to": _nullable("string", format="uuid", description="A user id."),
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "LeadPage": {
        "type": "object",
        "required": ["items", "total", "page", "limit"],
        "properties": {
            "items": {"type": "array", "items": ref("LeadSummary")},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        },
    },
    "Activity": {
        "type": "object",
        "required": ["id", "activity_type", "description", "created_at"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "lead_id": {"type": "string", "format": "uuid"},
            "activity_type": {"type": "string"},
            "description": _nullable("string"),
            "performed_by": _nullable("string", format="uuid"),
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
    "LeadDetail": {
        "allOf": [
            ref("LeadSummary"),
            {
                "type": "object",
                "required": [
                    "phone",
                    "company",
                    "message",
                    "priority",
                    "assigned_to",
                    "activities",
                    "updated_at",
                ],
                "properties": {
                    "type": {"type": "string", "enum": ["person", "company"]},
                    "first_name": _nullable("string"),
                    "last_name": _nullable("string"),
                    "message": _nullable("string"),
                    "job_title": _nullable("string"),
                    "company_domain": _nullable("string"),
                    "website": _nullable("string"),
                    "linkedin_url": _nullable("string"),
                    "city": _nullable("string"),
                    "state": _nullable("string"),
                    "country": _nullable("string"),
                    "industry": _nullable("string"),
                    "employee_count": _nullable("integer"),
                    "lead_score": {"type": "integer", "minimum": 0, "maximum": 100},
                    "intent": {"type": "string", "enum": ["hot", "warm", "cold", "unrated"]},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "closed_at": _nullable("string", format="date-time"),
                    "last_activity_at": _nullable("string", format="date-time"),
                    "activities": {
                        "type": "array",
                        "description": "Newest first; at most the 200 most recent.",
                        "items": ref("Activity"),
                    },
                    "activities_total": {"type": "integer", "minimum": 0},
                },
            },
        ]
    },
    "StatusChange": {
        "type": "object",
        "required": ["status"],
        "properties": {
            "status": {"type": "string", "enum": list(STATUSES)},
            "notes": _text(10_000, nullable=True),
            "expected_status": {
                "anyOf": [{"type": "string", "enum": list(STATUSES)}, {"type": "null"}],
                "description": "Optional precondition: answer 409 if the lead has moved "
                "to another status meanwhile (null: no precondition).",
            },
        },
    },
    "StatusChanged": {
        "type": "object",
        "required": ["id", "status", "updated_at"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "status": {"type": "string", "enum": list(STATUSES)},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "Assignment": {
        "type": "object",
        "required": ["assigned_to"],
        "properties": {
            "assigned_to": _nullable(
                "string",
                format="uuid",
                description="An active member's user id, or null to unassign.",
            )
        },
    },
    "Assigned": {
        "type": "object",
        "required": ["id", "assigned_to", "updated_at"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "assigned_to": _nullable("string", format="uuid"),
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "NewActivity": {
        "type": "object",
        "required": ["activity_type"],
        "properties": {
            "activity_type": {"type": "string", "enum": list(CLIENT_ACTIVITY_TYPES)},
            "description": _text(10_000, nullable=True, description="Required for note_added."),
        },
        # A note must say something: text with a non-space character.
        "anyOf": [
            {"properties": {"activity_type": {"not": {"const": "note_added"}}}},
            {"required": ["description"], "properties": {"description": NOT_BLANK}},
        ],
    },
    "CaptureRequest": {
        "type": "object",
        "required": ["email"],  # and a name: see anyOf
        "additionalProperties": True,
        "description": "Unknown fields are ignored and kept with the lead's raw data. "
        "A blank `name` is made from `first_name` and `last_name`.",
        # A name: in `name`, or made from first and last name.
        "anyOf": [
            {"required": ["name"], "properties": {"name": NOT_BLANK}},
            {"required": ["first_name"], "properties": {"first_name": NOT_BLANK}},
            {"required": ["last_name"], "properties": {"last_name": NOT_BLANK}},
        ],
        "properties": {
            "name": _text(255),
            "email": {"type": "string", "format": "email", "maxLength": 254},
            "phone": _text(64),
            "company": _text(255),
            "message": _text(10_000),
            "source": {"type": "string", "enum": list(CAPTURE_SOURCES)},
            "first_name": _text(120),
            "last_name": _text(120),
            "job_title": _text(255),
            "page_url": _text(2000),
            **{name: _text(255) for name in UTM_FIELDS},
            "consent": {"type": "boolean"},
            "form_key": {
                "type": "string",
                "description": "The form's public key, when not sent as X-Form-Key.",
            },
        },
    },
    "CaptureResult": {
        "type": "object",
        "required": ["id", "name", "email", "status", "created_at"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "name": {"type": "string"},
            "email": {"type": "string"},
            "status": {"type": "string", "enum": list(STATUSES)},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
    "Health": {
        "type": "object",
        "required": ["status", "database", "redis"],
        "properties": {
            "status": {"type": "string", "enum": ["ok", "unavailable"]},
            "database": {"type": "string"},
            "redis": {"type": "string"},
            "failing": {"type": "array", "items": {"type": "string"}},
        },
    },
}
