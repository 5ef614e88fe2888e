"""Every answer carries the security headers; only the hosted form may be framed."""

from tests.factories import signed_in


def test_app_pages_allow_only_own_scripts_and_no_framing(client, factory):
    signed_in(client, factory)
    for path in ("/leads", "/login", "/no-such-page"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_the_hosted_form_may_be_framed_by_a_customer_site(client, factory, db):
    from webapp.models.forms import CaptureForm

    workspace = factory.workspace()
    form = CaptureForm(workspace_id=workspace.id, name="Website")
    db.session.add(form)
    db.session.commit()
    headers = client.get(f"/f/{form.public_key}").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors" not in headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in headers
    assert headers["X-Content-Type-Options"] == "nosniff"
