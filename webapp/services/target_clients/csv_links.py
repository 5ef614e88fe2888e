"""A CSV of person_email (and company_domain) rows linked for one target client:
the link-batch service, 10,000 rows at a time, with each failed row's line reported."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from sqlalchemy.orm import Session

from webapp.services.errors import ValidationFailed
from webapp.services.imports.reading import stream_encoding
from webapp.services.target_clients.batch import MAX_BATCH, link_batch

COLUMNS = ("person_email", "company_domain")


@dataclass
class CsvLinks:
    total: int = 0
    linked: int = 0
    failed: int = 0
    failures: list[dict] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {"rows": self.total, "linked": self.linked, "failed": self.failed}

    def report(self, limit: int) -> dict:
        return {"failures": self.failures[:limit], "failures_total": self.failed}


def _rows(stream: IO[bytes]):
    encoding = stream_encoding(stream) if stream.seekable() else "utf-8-sig"
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    reader = csv.reader(text)
    try:
        header = [h.strip().lower().lstrip("\ufeff") for h in next(reader)]
    except StopIteration:
        raise ValidationFailed({"file": "is empty"}) from None
    except csv.Error as exc:
        raise ValidationFailed({"file": f"is not a CSV file ({exc})"}) from None
    if "person_email" not in header:
        raise ValidationFailed({"file": "has no 'person_email' column"})
    where = {name: header.index(name) for name in COLUMNS if name in header}
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        row = {n: cells[i] if i < len(cells) else None for n, i in where.items()}
        yield reader.line_num, {k: v for k, v in row.items() if v and v.strip()}


def link_csv(
    session: Session,
    workspace_id: uuid.UUID,
    target_client_domain: str,
    source: str,
    stream: IO[bytes],
    after_batch: Callable[[int, int | None, dict], bool] | None = None,
) -> CsvLinks:
    """Link every row; `after_batch(done, total, counts)` after each batch (the caller
    commits there); returning False stops."""
    outcome = CsvLinks()
    batch: list[tuple[int, dict]] = []

    def flush() -> bool:
        result = link_batch(
            session, workspace_id, target_client_domain, source, [row for _, row in batch]
        )
        outcome.total += result.total
        outcome.linked += result.linked
        outcome.failed += result.failed
        for (line, row), answer in zip(batch, result.results, strict=True):
            if not answer["success"]:
                outcome.failures.append({"line": line, **row, "error": answer["error"]})
        batch.clear()
        return after_batch is None or after_batch(outcome.total, None, outcome.counts) is not False

    for line, row in _rows(stream):
        batch.append((line, row))
        if len(batch) >= MAX_BATCH and not flush():
            return outcome
    if batch:
        flush()
    return outcome
