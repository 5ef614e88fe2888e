"""Reading a request with its declared model; refusals as {field: [reasons]}.

The reasons read as the services' do ("is required", "must be text", "must be at
most 255 characters"), so a client meets one wording whichever layer refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TypeVar

from flask import abort, request
from pydantic import BaseModel, ValidationError

from webapp.json_body import request_json
from webapp.services.errors import NUL_REASON, ValidationFailed

Model = TypeVar("Model", bound=BaseModel)
NOT_AN_OBJECT = "The body must be a JSON object."
_QUOTED = re.compile(r"'([^']*)'")


def _reason(error: dict) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing" or error.get("input", "") is None:
        return "is required"
    if kind in ("enum", "literal_error"):
        return f"must be one of {', '.join(_QUOTED.findall(str(ctx.get('expected', ''))))}"
    if kind == "value_error":
        return str(ctx.get("error") or error["msg"])
    fixed = {
        "string_type": "must be text",
        "string_pattern_mismatch": NUL_REASON,
        "bool_type": "must be true or false",
        "bool_parsing": "must be true or false",
        "int_type": "must be a whole number",
        "int_parsing": "must be a whole number",
        "int_from_float": "must be a whole number",
        "uuid_type": "must be a UUID",
        "uuid_parsing": "must be a UUID",
        "date_type": "must be a day (YYYY-MM-DD)",
        "date_parsing": "must be a day (YYYY-MM-DD)",
        "date_from_datetime_parsing": "must be a day (YYYY-MM-DD)",
    }
    if kind in fixed:
        return fixed[kind]
    if kind == "string_too_long":
        return f"must be at most {ctx['max_length']} characters"
    if kind == "greater_than_equal":
        return f"must be {ctx['ge']} or more"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']}"
    return error["msg"][:1].lower() + error["msg"][1:]


def field_errors(exc: ValidationError, model: type[BaseModel]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        field = str(error["loc"][0]) if error["loc"] else "body"
        reason = _reason(error)
        if reason != "is required":
            reason = getattr(model, "error_messages", {}).get(field, reason)
        if reason not in errors.setdefault(field, []):
            errors[field].append(reason)
    return errors


def validated(model: type[Model], data: Mapping) -> Model:
    """`data` as `model`, or ValidationFailed naming each refused field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc, model)) from None


def json_object() -> dict:
    """The request's JSON object; 400 for JSON we cannot store or anything but an object."""
    body, problem = request_json(request)
    if not isinstance(body, dict):
        abort(400, problem or NOT_AN_OBJECT)
    return body


def read_body(model: type[Model]) -> Model:
    return validated(model, json_object())


def read_query(model: type[Model]) -> Model:
    """Query parameters as `model`; an empty parameter is no parameter."""
    args = {key: value.strip() for key, value in request.args.items()}
    return validated(model, {key: value for key, value in args.items() if value})
