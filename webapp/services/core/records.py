"""Reading a core data file: CSV or JSON Lines, streamed, each row cleaned or refused.

Columns are named as the fields (docs/contracts.md#core); unknown columns are ignored,
missing optional ones are fine, a blank value is no value (the stored one is kept).
A refused row becomes a RowError (its line, its values, the reason) and the load goes
on without it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from webapp.services.errors import ValidationFailed
from webapp.services.imports.reading import stream_encoding
from webapp.services.normalize import clean_domain, clean_email_key, clean_linkedin_url

COMPANY_FIELDS = (
    "domain", "name", "industry", "employee_count", "revenue", "city", "state", "country",
    "linkedin_url",
)  # fmt: skip
PEOPLE_FIELDS = (
    "email", "first_name", "last_name", "full_name", "title", "seniority", "department",
    "linkedin_url", "company_domain",
)  # fmt: skip
FIELDS = {"companies": COMPANY_FIELDS, "people": PEOPLE_FIELDS}
TEXT_LIMITS = {
    "name": 255, "industry": 120, "city": 120, "state": 120, "country": 120,
    "first_name": 120, "last_name": 120, "full_name": 255, "title": 255, "seniority": 64,
    "department": 64,
}  # fmt: skip
MAX_SHOWN_VALUE = 200
MAX_INT = 2**63 - 1


@dataclass
class RowError:
    line: int
    values: dict
    reason: str

    def as_dict(self) -> dict:
        return {"line": self.line, "values": self.values, "reason": self.reason}


class RowRefused(ValueError):
    pass


def _shown(values: dict) -> dict:
    """The row's values as the report shows them (short, text)."""
    return {
        str(k)[:60]: (v if isinstance(v, int | float | None) else str(v)[:MAX_SHOWN_VALUE])
        for k, v in list(values.items())[:20]
    }


def _text(field: str, value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool | dict | list):
        raise RowRefused(f"{field} must be text")
    text = str(value).strip()
    if "\x00" in text:
        raise RowRefused(f"{field} must not contain NUL characters")
    if len(text) > TEXT_LIMITS.get(field, 500):
        raise RowRefused(f"{field} must be at most {TEXT_LIMITS.get(field, 500)} characters")
    return text or None


def _whole(field: str, value) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise RowRefused(f"{field} must be a whole number")
    try:
        number = int(value) if isinstance(value, int) else int(float(str(value).replace(",", "")))
    except (TypeError, ValueError, OverflowError):
        raise RowRefused(f"{field} must be a whole number") from None
    if number < 0 or number > MAX_INT:
        raise RowRefused(f"{field} must be a whole number of 0 or more")
    return number


def _keyed(field: str, cleaner, value, *args):
    if value is not None and not isinstance(value, str):
        raise RowRefused(f"{field} must be text")
    try:
        return cleaner(value, *args)
    except ValueError as exc:
        raise RowRefused(f"{field} {exc}") from None


def clean_company(values: dict) -> dict:
    row = {"domain": _keyed("domain", clean_domain, values.get("domain"))}
    if row["domain"] is None:
        raise RowRefused("domain is required")
    for field in ("name", "industry", "city", "state", "country"):
        row[field] = _text(field, values.get(field))
    row["employee_count"] = _whole("employee_count", values.get("employee_count"))
    row["revenue"] = _whole("revenue", values.get("revenue"))
    row["linkedin_url"] = _keyed("linkedin_url", clean_linkedin_url, values.get("linkedin_url"))
    return row


def clean_person(values: dict) -> dict:
    row = {
        "email": _keyed("email", clean_email_key, values.get("email")),
        "linkedin_url": _keyed(
            "linkedin_url", clean_linkedin_url, values.get("linkedin_url"), "in"
        ),
        "company_domain": _keyed("company_domain", clean_domain, values.get("company_domain")),
    }
    if row["email"] is None and row["linkedin_url"] is None:
        raise RowRefused("email or linkedin_url is required")
    for field in ("first_name", "last_name", "full_name", "title", "seniority", "department"):
        row[field] = _text(field, values.get(field))
    if row["full_name"] is None and (row["first_name"] or row["last_name"]):
        row["full_name"] = " ".join(p for p in (row["first_name"], row["last_name"]) if p)
    return row


CLEANERS = {"companies": clean_company, "people": clean_person}


def _is_json_lines(filename: str, head: str) -> bool:
    name = (filename or "").lower()
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return True
    if name.endswith(".csv"):
        return False
    return head.lstrip("\ufeff \t\r\n").startswith("{")


def _csv_records(text: IO[str], kind: str) -> Iterator[tuple[int, dict | None, str | None]]:
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationFailed({"file": "is empty (no header row)"}) from None
    except csv.Error as exc:
        raise ValidationFailed({"file": f"is not a CSV file ({exc})"}) from None
    names = [h.strip().lower().lstrip("\ufeff") for h in header]
    key = FIELDS[kind][0]
    if key not in names and not (kind == "people" and "linkedin_url" in names):
        raise ValidationFailed({"file": f"has no '{key}' column (its header: {', '.join(names)})"})
    wanted = [(i, n) for i, n in enumerate(names) if n in FIELDS[kind]]
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, None, f"is not valid CSV ({exc})"
            continue
        if not any(c.strip() for c in cells):
            continue
        yield reader.line_num, {n: (cells[i] if i < len(cells) else None) for i, n in wanted}, None


def _json_records(text: IO[str]) -> Iterator[tuple[int, dict | None, str | None]]:
    for line_number, line in enumerate(text, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            yield line_number, {"line": line[:MAX_SHOWN_VALUE]}, "is not a JSON object"
            continue
        if not isinstance(value, dict):
            yield line_number, {"line": line[:MAX_SHOWN_VALUE]}, "is not a JSON object"
            continue
        yield line_number, value, None


def check_file(stream: IO[bytes], filename: str, kind: str) -> None:
    """ValidationFailed for a file that cannot be loaded at all (empty, binary, no key
    column), found from its first lines, before any run starts."""
    rows = read_rows(stream, filename, kind)
    try:
        next(rows, None)
    finally:
        rows.close()


def read_rows(stream: IO[bytes], filename: str, kind: str) -> Iterator[tuple[int, dict, object]]:
    """(line, raw values, cleaned row or RowError) for each row of the file, streamed."""
    if kind not in FIELDS:
        raise ValidationFailed({"kind": "must be companies or people"})
    # UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252 / Latin-1: found as the
    # imports find it (a file read twice costs less than a load of mojibake).
    encoding = stream_encoding(stream) if stream.seekable() else "utf-8-sig"
    buffered = io.BufferedReader(stream) if not hasattr(stream, "peek") else stream
    head_bytes = buffered.peek(64)[:64]
    if not head_bytes:
        raise ValidationFailed({"file": "is empty"})
    head = head_bytes.decode(encoding, errors="ignore")
    text = io.TextIOWrapper(buffered, encoding=encoding, errors="replace", newline="")
    records = _json_records(text) if _is_json_lines(filename, head) else _csv_records(text, kind)
    clean = CLEANERS[kind]
    for line, values, problem in records:
        if problem is not None:
            yield line, values or {}, RowError(line, _shown(values or {}), problem)
            continue
        try:
            yield line, values, clean(values)
        except RowRefused as exc:
            yield line, values, RowError(line, _shown(values), str(exc))
