"""Request bodies as strict JSON: values the database can store, or a clear 400.

Python's json module accepts NaN, Infinity, numbers out of float range and lone
UTF-16 surrogates ("\\ud800"), and gives up on deep nesting with a RecursionError.
None of these is JSON PostgreSQL or UTF-8 can hold, so each is refused here, with
the reason, before any of it reaches a model.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import Flask, Request
from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 32
_SURROGATE_ESCAPE = {
    bytes: re.compile(rb"\\u[dD][89a-fA-F]"),
    str: re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]"),
}
_OPENERS = {bytes: (b"[", b"{"), str: ("[", "{")}


class BadJSON(ValueError):
    """Why a body is not JSON we take (a ValueError, so get_json(silent=True) is None)."""


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadJSON(f"the number {text[:20]} is out of range")
    return value


def _constant(name: str):
    raise BadJSON(f"{name} is not a JSON value")


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def loads_strict(data: str | bytes) -> Any:
    try:
        value = json.loads(data, parse_float=_finite, parse_constant=_constant)
    except RecursionError:
        raise BadJSON(f"it is nested more than {MAX_DEPTH} levels deep") from None
    kind = bytes if isinstance(data, bytes | bytearray) else str
    # Cheap scans of the text first: the walks below run only when they might find something.
    openers = sum(data.count(o) for o in _OPENERS[kind])
    if openers > MAX_DEPTH and _depth(value) > MAX_DEPTH:
        raise BadJSON(f"it is nested more than {MAX_DEPTH} levels deep")
    if _SURROGATE_ESCAPE[kind].search(data):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise BadJSON("it holds a lone UTF-16 surrogate, which is not Unicode text") from None
    return value


def request_json(request: Request) -> tuple[Any, str | None]:
    """(body, None); (None, why) for JSON we cannot store; (None, None) for no JSON at all."""
    try:
        return loads_strict(request.get_data(cache=True)), None
    except BadJSON as exc:
        return None, f"The body is not JSON that can be stored: {exc}."
    except ValueError:
        return None, None


class StrictJSONProvider(DefaultJSONProvider):
    """request.get_json() everywhere goes through loads_strict."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads_strict(s)


def use_strict_json(app: Flask) -> None:
    app.json = StrictJSONProvider(app)
