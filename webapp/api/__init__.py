"""Everything under /api/: one blueprint, registered once, whatever the order.

- `capture`: public lead capture, POST (and the CORS preflight) /api/v1/leads;
- `lead_api`: the admin lead API behind bearer tokens (GET /api/v1/leads, …);
- `pipeline`: admin triggers of the lead pipeline (POST /api/v1/leads/{id}/enrich);
- the OpenAPI document, GET /api/v1/openapi.json, made from the declared models.

GET and POST /api/v1/leads belong to two child blueprints: a URL is matched by its
method too, so neither needs to be registered first. Errors on any /api/ path
answer the one JSON shape (webapp.errors.api_error). docs/contracts.md has the contract.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from webapp.api import capture, discovery, leads, pipeline
from webapp.api.openapi import openapi_document
from webapp.extensions import csrf, limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens and public forms: no cookies are trusted here, so no CSRF (each
# child is exempted itself: the exemption looks at the blueprint serving the request).
for part in (bp, capture.bp, leads.bp, pipeline.bp, discovery.bp, discovery.seed_bp):
    csrf.exempt(part)
bp.register_blueprint(capture.bp)
bp.register_blueprint(leads.bp)
bp.register_blueprint(pipeline.bp)
bp.register_blueprint(discovery.bp)
# Seed 002's POST /api/leads/discover lives outside /api/v1 (registered by the app).
seed_bp = discovery.seed_bp


@bp.get("/openapi.json")
@limiter.exempt
def openapi_json():
    return jsonify(openapi_document())
