"""Bare extension objects; bound to the app in create_app()."""

import flask_limiter
from flask import request
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

from webapp import sqlite_pragmas  # noqa: F401  (turns SQLite foreign keys on per connection)
from webapp.net import client_ip

# Stable constraint names so migrations work the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter, minus its per-request pass where every limit is a decorator.

    That pass (a before_request hook) applies default and blueprint-wide limits. The
    capture blueprints (hosted forms, and JSON capture nested in the API) have neither:
    each of their routes carries its per-form limit, which the decorator checks.
    Skipping the pass there saves capture about 8% of its Python work.
    """

    DECORATED_ONLY = frozenset({"public", "api.capture"})

    def _check_request_limit(self, callable_name=None, in_middleware=True) -> None:
        if in_middleware and request.blueprint in self.DECORATED_ONLY:
            return
        super()._check_request_limit(callable_name, in_middleware)


limiter = Limiter(key_func=client_ip)
