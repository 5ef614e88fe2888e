"""The sandbox provider: fake intent, contact, e-mail, Slack and platform APIs.

A blueprint answering the provider contracts (docs/contracts.md#sandbox) with deterministic
synthetic data, so the pipeline runs on a machine with no outside network and tests talk to
real HTTP. Mounted under /sandbox when SANDBOX_PROVIDERS=1, or served alone by
`flask sandbox serve`. It has no login: never enable it on a public deployment.
"""

from __future__ import annotations

import time
import uuid

from flask import Blueprint, Flask, current_app, jsonify, request

from webapp.sandbox import data
from webapp.sandbox.state import APIS, get_state, now_iso

bp = Blueprint("sandbox", __name__)
REJECTED_KEYS = {"invalid-key", "wrong"}  # tests and "Test connection" can see a 401


def _state():
    return get_state(current_app)


def _body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _error(status: int, message: str, retry_after: float | None = None):
    response = jsonify({"error": "sandbox", "message": message, "status": status})
    response.status_code = status
    if retry_after is not None:
        response.headers["Retry-After"] = (
            str(int(retry_after)) if float(retry_after).is_integer() else str(retry_after)
        )
    return response


def _gate(api: str, needs_key: bool = True):
    """Delay, injected failure, then the bearer key; a response to answer instead, or None."""
    state = _state()
    delay = state.delay_ms()
    if delay:
        time.sleep(delay / 1000)
    failure = state.take_failure(api)
    if failure:
        return _error(
            failure["status"], f"sandbox: injected failure of {api}", failure.get("retry_after")
        )
    if needs_key:
        auth = request.headers.get("Authorization", "")
        key = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        if not key:
            return _error(401, "a valid API key is required (Authorization: Bearer …)")
        if key in REJECTED_KEYS:  # echoed, as some APIs do: clients must not pass it on
            return _error(401, f"the API key {key} is not valid")
    return None


@bp.post("/intent/v1/companies/search")
def intent_search():
    if (refused := _gate("intent")) is not None:
        return refused
    body = _body()
    if not str(body.get("topic") or "").strip():
        return _error(422, "topic is required")
    companies = data.search_companies(body)
    return jsonify({"companies": companies, "total": len(companies)})


@bp.post("/contacts/v1/enrich/company")
def contacts_enrich():
    if (refused := _gate("contacts")) is not None:
        return refused
    body = _body()
    if not str(body.get("domain") or "").strip():
        return _error(422, "domain is required")
    contacts = data.enrich_company(body)
    return jsonify({"domain": body["domain"], "contacts": contacts, "count": len(contacts)})


@bp.post("/contacts/v1/verify/email")
def contacts_verify():
    if (refused := _gate("verify")) is not None:
        return refused
    return jsonify(data.verify_email(str(_body().get("email") or "")))


@bp.get("/email/domains")
def email_domains():
    if (refused := _gate("email")) is not None:
        return refused
    return jsonify({"data": [{"name": "sandbox.local", "status": "verified"}]})


@bp.post("/email/emails")
def email_send():
    if (refused := _gate("email")) is not None:
        return refused
    body = _body()
    missing = [f for f in ("from", "to", "subject") if not body.get(f)]
    if missing or not (body.get("text") or body.get("html")):
        return _error(422, f"missing {', '.join(missing) or 'text or html'}")
    email_id = str(uuid.uuid4())
    key = request.headers.get("Idempotency-Key")
    if key and (first := _state().first_answer("email:" + key, email_id)):
        return jsonify({"id": first})  # the same message again: sent once (Resend's rule)
    _state().record(
        "email", {"id": email_id, "received_at": now_iso(), "idempotency_key": key, **body}
    )
    return jsonify({"id": email_id})


@bp.post("/slack/<path:hook>")
def slack_hook(hook):
    if (refused := _gate("slack", needs_key=False)) is not None:
        return refused
    body = _body()
    if not body.get("text") and not body.get("blocks"):
        return "no_text", 400
    _state().record("slack", {"hook": hook, "received_at": now_iso(), **body})
    return "ok"


@bp.get("/platforms")
def platforms_index():
    if (refused := _gate("platforms")) is not None:
        return refused
    return jsonify({"platforms": sorted(set(p for p in data_platforms()))})


def data_platforms():
    from webapp.models.providers import DEFAULT_PLATFORMS

    return DEFAULT_PLATFORMS.values()


def _refusal(lead: dict) -> str | None:
    """Why a platform would refuse this lead: the seed's format, and never a cold lead."""
    from webapp.providers.platforms import UPLOAD_FIELDS

    missing = [f for f in UPLOAD_FIELDS if f not in lead]
    if missing:
        return "missing " + ", ".join(missing)
    if lead.get("intent_score") not in ("hot", "warm"):
        return "only hot and warm leads are uploaded"
    return None


@bp.post("/platforms/<platform>")
def platform_upload(platform):
    if (refused := _gate("platforms")) is not None:
        return refused
    leads = _body().get("leads")
    if not isinstance(leads, list):
        return _error(422, "leads must be a list")
    results, state = [], _state()
    for lead in leads:
        if not isinstance(lead, dict) or not lead.get("id"):
            results.append({"id": None, "status": "rejected", "error": "id is required"})
            continue
        if refusal := _refusal(lead):
            results.append({"id": lead["id"], "status": "rejected", "error": refusal})
            continue
        state.record("platforms", {"platform": platform, "received_at": now_iso(), "lead": lead})
        results.append({"id": lead["id"], "status": "accepted"})
    return jsonify({"platform": platform, "accepted": len(results), "results": results})


@bp.post("/_control")
def control():
    body = _body()
    state = _state()
    if body.get("reset"):
        state.reset()
    for api, spec in (body.get("fail") or {}).items():
        if api not in APIS or not isinstance(spec, dict):
            return _error(422, f"fail: unknown api {api!r}; one of {', '.join(APIS)}")
        state.set_failure(
            api, int(spec.get("status", 503)), int(spec.get("times", 1)), spec.get("retry_after")
        )
    if "delay_ms" in body:
        state.set_delay(max(0, int(body.get("delay_ms") or 0)))
    return jsonify({"failures": state.failures(), "delay_ms": state.delay_ms()})


@bp.get("/_received")
def received():
    everything = _state().received()
    kind = request.args.get("kind")
    if kind:
        return jsonify({kind: everything.get(kind, []), "counts": everything["counts"]})
    return jsonify(everything)


def init_sandbox(app: Flask, url_prefix: str = "/sandbox") -> None:
    """Mount the sandbox (no CSRF: it stands in for outside APIs, called by our own code)."""
    from webapp.extensions import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp, url_prefix=url_prefix)


def create_sandbox_app(redis_url: str | None = None) -> Flask:
    """A tiny app with only the sandbox, at the root (for `flask sandbox serve`)."""
    app = Flask("leadkeeper_sandbox")
    app.config["REDIS_URL"] = redis_url
    app.config["REDIS_REQUEST_TIMEOUT"] = 2.0
    from webapp.redis_conn import init_redis

    init_redis(app)
    app.register_blueprint(bp)
    return app
