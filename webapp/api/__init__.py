"""Everything under /api/: one blueprint, registered once, whatever the order.

- `capture`: public lead capture, POST (and the CORS preflight) /api/v1/leads;
- `lead_api`: the admin lead API behind bearer tokens (GET /api/v1/leads, …);
- `list_api`: lead lists behind bearer tokens (GET/POST /api/v1/lists, …/members);
- `import_api`: CSV/.xlsx imports behind the same tokens (POST /api/v1/imports, …);
- `pipeline`: admin triggers of the lead pipeline (POST /api/v1/leads/{id}/enrich);
- the OpenAPI document, GET /api/v1/openapi.json, made from the declared models;
- `target_client`: seed 000's POST /run/target-client/leads/* (its own blueprint
  `run_bp`, outside /api/v1 since the seed's URLs are kept).

GET and POST /api/v1/leads belong to two child blueprints: a URL is matched by its
method too, so neither needs to be registered first. Errors on any /api/ path
answer the one JSON shape (webapp.errors.api_error). docs/contracts.md has the contract.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from webapp.api import campaigns, capture, discovery, imports, leads, lists, pipeline, target_client
from webapp.api.openapi import openapi_document
from webapp.extensions import csrf, limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens and public forms: no cookies are trusted here, so no CSRF (each
# child is exempted itself: the exemption looks at the blueprint serving the request).
run_bp = target_client.bp
API_PARTS = (capture.bp, leads.bp, lists.bp, imports.bp, campaigns.bp, pipeline.bp, discovery.bp)
for part in (bp, *API_PARTS, run_bp, discovery.seed_bp):
    csrf.exempt(part)
for part in API_PARTS:
    bp.register_blueprint(part)
# Seed 002's POST /api/leads/discover lives outside /api/v1 (registered by the app).
seed_bp = discovery.seed_bp


@bp.get("/openapi.json")
@limiter.exempt
def openapi_json():
    return jsonify(openapi_document())
