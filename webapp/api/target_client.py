"""The target-client endpoints: POST /run/target-client/leads/{ingest,list,link,link-batch}.

Seed 000's URLs and shapes (docs/contracts.md#target-client), behind the workspace's
API tokens: a full token or one limited to these endpoints (scope `target_client`).
Everything is scoped to the token's workspace. Thin: read the declared body, call one
service, audit, commit, answer.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response
from sqlalchemy.exc import IntegrityError

from webapp.api import target_client_schemas as s
from webapp.api import tokens
from webapp.api.validation import json_object, validated
from webapp.errors import api_error
from webapp.extensions import db
from webapp.models.api_tokens import SCOPE_TARGET_CLIENT
from webapp.net import client_ip
from webapp.services.audit import record_audit
from webapp.services.errors import ValidationFailed
from webapp.services.target_clients.batch import MAX_BATCH, link_batch
from webapp.services.target_clients.linking import (
    clean_target_client_domain,
    ingest_lead,
    link_lead,
)
from webapp.services.target_clients.listing import lead_rows, listed_lead

bp = Blueprint("target_client_api", __name__, url_prefix="/run/target-client/leads")
tokens.protect(bp, scope=SCOPE_TARGET_CLIENT)


def _audit(action: str, tcd: str, details: dict) -> None:
    token = tokens.current_token()
    record_audit(
        db.session,
        token.workspace_id,
        token.created_by_id,
        action,
        "target_client",
        None,
        details={
            "target_client_domain": tcd,
            **details,
            "api_token_id": str(token.id),
            "api_token": token.name,
        },
        ip_address=client_ip(),
    )


def _large_json(body: dict) -> Response:
    """A large answer (10,000 rows) as compact JSON in its own order: Flask's provider
    sorts every key and indents nothing faster, and ids go out as text as they are."""
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=str)
    return Response(text, status=200, mimetype="application/json")


def _retrying(work):
    """Run `work` again once when a concurrent request made the same lead first."""
    try:
        return work()
    except IntegrityError:
        db.session.rollback()
        return work()


def _one_lead(request_schema, make, action: str, answer_schema):
    """Make one lead from the request with `make` (again once on a race), audit it as
    `action`, and answer what was made."""
    body = validated(request_schema, json_object())
    workspace_id = tokens.current_token().workspace_id
    made = _retrying(lambda: make(db.session, workspace_id, body.model_dump()))
    tcd = clean_target_client_domain(body.target_client_domain)
    _audit(action, tcd, {"lead_id": str(made.lead_id)})
    db.session.commit()
    return answer_schema(success=True, **made.__dict__).model_dump(mode="json"), 200


@bp.post("/ingest")
def ingest():
    return _one_lead(s.IngestRequest, ingest_lead, "api.target_client.ingested", s.IngestResult)


@bp.post("/list")
def list_endpoint():
    body = validated(s.ListRequest, json_object())
    tcd = clean_target_client_domain(body.target_client_domain)
    workspace_id = tokens.current_token().workspace_id
    rows = lead_rows(db.session, workspace_id, tcd, body.source, body.limit, body.offset)
    leads = [listed_lead(row) for row in rows]
    _audit("api.target_client.listed", tcd, {"source": body.source, "count": len(leads)})
    db.session.commit()
    # Built as plain dicts (ListResult documents them): 10,000 leads through pydantic
    # would cost more than the query.
    return _large_json({"success": True, "count": len(leads), "leads": leads})


@bp.post("/link")
def link():
    return _one_lead(s.LinkRequest, link_lead, "api.target_client.linked", s.LinkResult)


def _batch_request(raw: dict) -> tuple[s.LinkBatchRequest, list]:
    """The request checked but for its rows: a malformed row fails alone, in its result
    (the service says which field and why), never the whole batch."""
    errors: dict[str, list[str]] = {}
    rows = raw.get("leads")
    if rows is None:
        errors["leads"] = ["is required"]
    elif not isinstance(rows, list):
        errors["leads"] = ["must be a list of rows"]
    try:
        body = validated(s.LinkBatchRequest, {**raw, "leads": []})
    except ValidationFailed as exc:
        raise ValidationFailed({**exc.errors, **errors}) from None
    if errors:
        raise ValidationFailed(errors)
    return body, rows


@bp.post("/link-batch")
def link_batch_endpoint():
    raw = json_object()
    rows = raw.get("leads")
    if isinstance(rows, list) and len(rows) > MAX_BATCH:
        return api_error(
            413,
            f"At most {MAX_BATCH:,} leads per request; this one has {len(rows):,}. "
            "Send them in several requests.",
            {"leads": [f"must have at most {MAX_BATCH:,} rows"]},
        )
    body, rows = _batch_request(raw)
    workspace_id = tokens.current_token().workspace_id
    source = body.source or "csv_import"
    done = _retrying(
        lambda: link_batch(db.session, workspace_id, body.target_client_domain, source, rows)
    )
    tcd = clean_target_client_domain(body.target_client_domain)
    _audit(
        "api.target_client.batch_linked",
        tcd,
        {"total": done.total, "linked": done.linked, "failed": done.failed},
    )
    db.session.commit()
    answer = {
        "success": True,
        "total": done.total,
        "linked": done.linked,
        "failed": done.failed,
        "results": done.results,
    }
    return _large_json(answer)
