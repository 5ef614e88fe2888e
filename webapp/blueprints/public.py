"""Hosted capture forms at /f/<key> (the JSON capture endpoint is in webapp.api.capture).

No session or CSRF here: forms are posted from other sites. Abuse is held off
by the per-form rate limit (per IP), the honeypot and the minimum fill time.
"""

from __future__ import annotations

import time

from flask import Blueprint, redirect, render_template, request

from webapp.blueprints.capture_flow import (
    capture_limit,
    current_form,
    look_up_the_form,
    store_and_notify,
    too_large,
)
from webapp.errors import http_error, retry_after
from webapp.extensions import csrf, db
from webapp.services.capture.submissions import FILL_TIME_FIELD, HONEYPOT_FIELD, find_form
from webapp.services.errors import ValidationFailed

bp = Blueprint("public", __name__)
bp.before_request(look_up_the_form)
csrf.exempt(bp)


def _form_page(form, values: dict, errors: dict, loaded_at=None):
    return render_template(
        "public/form.html",
        form=form,
        values=values,
        errors=errors,
        loaded_at=loaded_at or int(time.time() * 1000),
    )


@bp.errorhandler(429)
def too_many_submissions(exc):
    """A visitor of the hosted form is told on the form's own page, not the app's."""
    form = current_form() if request.endpoint == "public.hosted_form_post" else None
    if form is None:
        return http_error(exc)
    seconds = retry_after(exc)
    wait = f"in {max(1, round(int(seconds) / 60))} minutes" if seconds else "later"
    values = {k: v for k, v in request.form.items() if k not in (HONEYPOT_FIELD, FILL_TIME_FIELD)}
    errors = {"form": f"was sent too often from your address; please try again {wait}"}
    page = _form_page(form, values, errors)
    return page, 429, {"Retry-After": seconds} if seconds else {}


@bp.get("/f/<key>")
def hosted_form(key):
    form = find_form(db.session, key)
    if form is None:
        return render_template("public/missing.html"), 404
    return _form_page(form, {}, {})


@bp.post("/f/<key>")
@capture_limit
def hosted_form_post(key):
    form = current_form()
    if form is None:
        return render_template("public/missing.html"), 404
    if too_large():
        return _form_page(form, {}, {"form": "is larger than 64 KB"}), 413
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        store_and_notify(form, values, form_post=True)
    except ValidationFailed as exc:
        db.session.rollback()
        shown = {k: v for k, v in values.items() if k not in (HONEYPOT_FIELD, FILL_TIME_FIELD)}
        return _form_page(form, shown, exc.errors, values.get(FILL_TIME_FIELD)), 422
    if form.thank_you_url:
        return redirect(form.thank_you_url, 303)
    return render_template("public/thanks.html", form=form)
