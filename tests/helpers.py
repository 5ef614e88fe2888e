"""A test client that behaves like a browser: it sends the page's CSRF token."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from flask.testing import FlaskClient

from webapp.models import LeadActivity

ROOT = Path(__file__).resolve().parents[1]
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class WebClient:
    def __init__(self, client: FlaskClient):
        self.raw = client
        self._token: str | None = None

    def __getattr__(self, name):
        return getattr(self.raw, name)

    def csrf_token(self) -> str:
        if self._token is None:
            page = self.raw.get("/login", follow_redirects=True).get_data(as_text=True)
            match = CSRF_META.search(page)
            assert match, "no CSRF token in the page"
            self._token = match.group(1)
        return self._token

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.raw.post(url, data=data, **kwargs)

    def htmx(self, method: str, url: str, **kwargs):
        headers = {"HX-Request": "true", "X-CSRFToken": self.csrf_token()}
        headers.update(kwargs.pop("headers", {}))
        return self.raw.open(url, method=method.upper(), headers=headers, **kwargs)

    def login(self, user, password: str = "password123", workspace=None):
        response = self.post_form("/login", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        self._token = None  # the session was renewed
        if workspace is not None:
            self.post_form("/workspace", {"workspace_id": str(workspace.id)})
        return response


def activities(db, lead, kind: str) -> list[LeadActivity]:
    """The lead's activities of one kind, as stored now."""
    db.session.expire_all()
    return (
        db.session.execute(
            db.select(LeadActivity).where(
                LeadActivity.lead_id == lead.id, LeadActivity.activity_type == kind
            )
        )
        .scalars()
        .all()
    )


def run_queued_jobs() -> None:
    """With Redis, a real burst worker runs what was queued; inline work already ran."""
    if not os.environ.get("REDIS_URL"):
        return
    env = {**os.environ, "APP_ENV": "testing", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "worker.py", "--burst"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
