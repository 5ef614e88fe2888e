"""Leadkeeper: the app factory."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

from webapp.config import Config
from webapp.extensions import csrf, db, limiter, login_manager, migrate
from webapp.security_headers import register_security_headers

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    config = Config(app.instance_path)
    app.config.from_mapping(config.as_dict())
    if overrides:
        app.config.from_mapping(overrides)
    config.SECRET_KEY = app.config["SECRET_KEY"]
    config.APP_ENV = app.config["APP_ENV"]
    config.check()
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    register_security_headers(app)
    log_backends(app)
    return app


def configure_logging(app: Flask) -> None:
    level = getattr(logging, app.config["LOG_LEVEL"], logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request's full URL at INFO; a Slack webhook URL is itself a secret.
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))
    app.logger.setLevel(level)


def register_extensions(app: Flask) -> None:
    from webapp import models  # noqa: F401  (metadata for migrations)
    from webapp.auth_session import register_session_hooks
    from webapp.json_body import use_strict_json
    from webapp.redis_conn import init_redis

    use_strict_json(app)
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    init_redis(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    register_session_hooks(app)
    from webapp.services.events.relay_kick import register_outbox_relay

    register_outbox_relay(app)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_blueprints(app: Flask) -> None:
    from webapp import api
    from webapp.blueprints import (
        accounts,
        api_tokens_settings,
        audit,
        auth,
        campaigns,
        contacts,
        duplicates,
        forms_settings,
        health,
        imports,
        jobs,
        lead_page,
        leads,
        leads_board,
        lists,
        new_lead,
        pipeline,
        pipeline_settings,
        public,
        settings,
        webhooks_settings,
    )

    for module in (
        auth, health, public, api, new_lead, leads_board, leads, lead_page, duplicates, audit,
        lists, settings, forms_settings, api_tokens_settings, webhooks_settings, jobs,
        contacts, accounts, imports, campaigns, pipeline, pipeline_settings,
    ):  # fmt: skip
        app.register_blueprint(module.bp)
    app.register_blueprint(api.run_bp)  # seed 000's /run/target-client/leads/*
    app.register_blueprint(api.seed_bp)  # POST /api/leads/discover (seed 002)
    from webapp.blueprints import core_pages, lead_pipeline, pipeline_dashboard, target_clients

    app.register_blueprint(core_pages.bp)
    app.register_blueprint(target_clients.bp)
    app.register_blueprint(lead_pipeline.bp)
    app.register_blueprint(pipeline_dashboard.bp)
    if app.config.get("SANDBOX_PROVIDERS"):
        from webapp.sandbox import init_sandbox

        init_sandbox(app)


def register_errorhandlers(app: Flask) -> None:
    from webapp.errors import register_error_pages

    register_error_pages(app)


def register_commands(app: Flask) -> None:
    from webapp.cli import register_cli

    register_cli(app)


def register_template_helpers(app: Flask) -> None:
    from webapp.navigation import register_navigation
    from webapp.templating import register_filters

    register_filters(app)
    register_navigation(app)


def log_backends(app: Flask) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    database = url.render_as_string(hide_password=True)
    redis_url = app.config["REDIS_URL"]
    if redis_url:
        redis_shown = make_url(redis_url).render_as_string(hide_password=True)
        jobs, limits = f"RQ on {redis_shown}", f"Redis ({redis_shown})"
    else:
        jobs, limits = "inline (no REDIS_URL)", "memory (no REDIS_URL)"
    embedded = (
        " [embedded default: for trying the app, not production]"
        if (url.get_backend_name() == "sqlite" or not redis_url)
        else ""
    )
    app.logger.info(
        "Leadkeeper %s: database=%s jobs=%s rate-limits=%s%s",
        app.config["APP_ENV"],
        database,
        jobs,
        limits,
        embedded,
    )
