"""Start-up configuration from the environment."""

import logging

import pytest


def test_production_refuses_the_default_secret_key(make_app, monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        make_app()


def test_production_starts_with_a_real_secret_key(make_app, monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    app = make_app()
    assert app.config["SECRET_KEY"] == "a-long-random-production-secret"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_embedded_default_and_one_backend_log_line(make_app, monkeypatch, caplog, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    with caplog.at_level(logging.INFO, logger="webapp"):
        app = make_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'leadkeeper.sqlite3'}"
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    lines = [r.getMessage() for r in caplog.records if "database=" in r.getMessage()]
    assert len(lines) == 1
    assert "jobs=inline" in lines[0] and "rate-limits=memory" in lines[0]


def test_backend_line_hides_passwords(make_app, monkeypatch, caplog):
    monkeypatch.setenv("DATABASE_URL", "postgresql://lk:s3cret@db.internal:5432/lk")
    monkeypatch.setenv("REDIS_URL", "redis://:hunter2@cache.internal:6379/0")
    with caplog.at_level(logging.INFO, logger="webapp"):
        app = make_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://:hunter2@cache.internal:6379/0"
    text = caplog.text
    assert "s3cret" not in text and "hunter2" not in text
    assert "jobs=RQ" in text


def test_secure_cookies_behind_https(make_app, monkeypatch):
    monkeypatch.setenv("BASE_URL", "https://leads.example.com")
    app = make_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_passwords_hash_cheaply_only_under_testing(make_app, monkeypatch):
    from webapp.models import User

    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    monkeypatch.setenv("PASSWORD_HASH_METHOD", "plain")  # not a setting: ignored
    production = make_app()
    with production.app_context():
        user = User(email="ana@example.com")
        user.set_password("s3cret-pass")
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("s3cret-pass") and not user.check_password("other")

    monkeypatch.setenv("APP_ENV", "testing")
    with make_app().app_context():
        user.set_password("s3cret-pass")
    assert user.password_hash.startswith("pbkdf2:sha256:1$")
    assert user.check_password("s3cret-pass") and not user.check_password("other")
