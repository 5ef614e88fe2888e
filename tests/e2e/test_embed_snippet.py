"""The fetch snippet from Settings → Forms, run on another website in a real browser."""

import json

from flask import current_app
from playwright.sync_api import expect
from werkzeug import Response

from tests.e2e.conftest import sign_in
from webapp.models import Lead, LeadActivity
from webapp.models.forms import CaptureForm

PAGE = """<!doctype html><html><body><script>
{snippet}
(async () => {{
  const key = newSubmissionKey();
  const fields = {{name: "Web Visitor", email: "visitor@example.com", source: "website"}};
  const first = await sendLead(fields, key);
  const retry = await sendLead(fields, key);  // the answer was "lost": the same key again
  document.body.dataset.result = JSON.stringify([first.id, retry.id]);
}})().catch((error) => {{ document.body.dataset.result = "error: " + error; }});
</script></body></html>"""


def test_the_fetch_snippet_posts_once_from_an_allowed_website(
    page, db, factory, httpserver, live_server
):
    workspace = factory.workspace()
    admin = factory.user(workspace, role="admin")
    site = httpserver.url_for("/").rstrip("/")
    form = CaptureForm(workspace_id=workspace.id, name="Site", allowed_origins=[site])
    form.min_fill_seconds = 0
    db.session.add(form)
    db.session.commit()

    sign_in(page, admin)
    page.goto(f"/settings/forms/{form.id}")
    snippet = page.locator("#snippet-fetch").text_content()
    assert "newSubmissionKey" in snippet
    snippet = snippet.replace(current_app.config["BASE_URL"], live_server)
    httpserver.expect_request("/").respond_with_handler(
        lambda request: Response(PAGE.format(snippet=snippet), mimetype="text/html")
    )

    page.goto(site + "/")  # another origin than the app's: CORS must let it through
    expect(page.locator("body[data-result]")).to_have_count(1)
    result = page.locator("body").get_attribute("data-result")
    assert not result.startswith("error"), result
    first_id, retry_id = json.loads(result)
    assert first_id == retry_id
    leads = db.session.execute(db.select(Lead).where(Lead.workspace_id == workspace.id))
    assert [lead.email for lead in leads.scalars()] == ["visitor@example.com"]
    # The retry replayed the first answer: it did not count as a second submission.
    kinds = db.session.execute(
        db.select(LeadActivity.activity_type).where(LeadActivity.workspace_id == workspace.id)
    ).scalars()
    assert list(kinds) == ["created"]
