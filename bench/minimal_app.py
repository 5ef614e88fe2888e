"""The baseline for bench/capture.py: a bare Flask endpoint inserting one row.

Served by gunicorn with the same settings as Leadkeeper, so the ratio between the
two measures what Leadkeeper's capture adds (validation, dedupe, rate limit,
activity and outbox event) on this machine, in the same run.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, text

TABLE = """
CREATE TABLE IF NOT EXISTS bench_minimal_leads (
    id uuid PRIMARY KEY, name varchar(255) NOT NULL, email varchar(254) NOT NULL,
    phone varchar(32), company varchar(255), message text, source varchar(32),
    created_at timestamptz NOT NULL
)
"""


def create_app() -> Flask:
    app = Flask(__name__)
    url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url, pool_size=5)

    @app.post("/api/v1/leads")
    def insert_lead():
        body = request.get_json()
        row = {
            "id": uuid.uuid4(),
            "name": body["name"],
            "email": body["email"],
            "phone": body.get("phone"),
            "company": body.get("company"),
            "message": body.get("message"),
            "source": body.get("source", "website"),
            "created_at": datetime.now(UTC),
        }
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO bench_minimal_leads VALUES "
                    "(:id, :name, :email, :phone, :company, :message, :source, :created_at)"
                ),
                row,
            )
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
