"""The baseline for bench/capture.py: a bare Flask endpoint inserting one row.

The row goes into a copy of the leads table (same columns, constraints and
indexes, the trigram search index included), so the ratio between the two
measures what Leadkeeper's capture adds to storing the lead itself: form lookup,
validation, dedupe, rate limit, activity and outbox event. Served by gunicorn
with the same settings as Leadkeeper, in the same run.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, text

# Run after the migrations: LIKE copies the leads table as it is.
TABLE = "CREATE TABLE IF NOT EXISTS bench_minimal_leads (LIKE leads INCLUDING ALL)"
WORKSPACE_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")
INSERT = text(
    "INSERT INTO bench_minimal_leads (id, workspace_id, type, full_name, email,"
    " email_normalized, phone, company_name, message, status, priority, lead_score,"
    " intent, source, uploaded, created_at, updated_at) VALUES (:id, :workspace_id,"
    " 'person', :name, :email, :email_key, :phone, :company, :message, 'new', 'medium', 0,"
    " 'unrated', :source, false, :created_at, :created_at)"
)


def create_app() -> Flask:
    app = Flask(__name__)
    url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url, pool_size=5)

    @app.post("/api/v1/leads")
    def insert_lead():
        body = request.get_json()
        row = {
            "id": uuid.uuid4(),
            "workspace_id": WORKSPACE_ID,
            "name": body["name"],
            "email": body["email"],
            "email_key": body["email"].strip().lower(),
            "phone": body.get("phone"),
            "company": body.get("company"),
            "message": body.get("message"),
            "source": body.get("source", "website"),
            "created_at": datetime.now(UTC),
        }
        with engine.begin() as conn:
            conn.execute(INSERT, row)
        return jsonify(
            {
                "id": str(row["id"]),
                "name": row["name"],
                "email": row["email"],
                "status": "new",
                "created_at": row["created_at"].isoformat(),
            }
        ), 201

    return app
