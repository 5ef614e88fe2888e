"""`flask sandbox serve`: the sandbox provider on its own (docs/contracts.md#sandbox)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

sandbox_cli = AppGroup("sandbox", help="The sandbox provider (fake intent, contact, e-mail, "
                       "Slack and platform APIs).")  # fmt: skip


@sandbox_cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5055, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve only the sandbox, at the root of http://HOST:PORT (threaded)."""
    from werkzeug.serving import run_simple

    from webapp.sandbox import create_sandbox_app

    app = create_sandbox_app(current_app.config.get("REDIS_URL"))
    click.echo(
        f"Sandbox provider on http://{host}:{port} (intent: /intent/v1, contacts: "
        "/contacts/v1, e-mail: /email, Slack: /slack/…, platforms: /platforms/…)"
    )
    run_simple(host, port, app, threaded=True, use_reloader=False)
