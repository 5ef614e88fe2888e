"""The one normaliser for emails, domains and phones."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

DEFAULT_PHONE_REGION = "US"
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$")


def normalize_email_key(email: str | None) -> str | None:
    """The dedupe key: trimmed and lower-cased, or None when empty."""
    if email is None:
        return None
    key = email.strip().lower()
    return key or None


@lru_cache(maxsize=256)  # a capture checks the same value twice: the form's rules, the lead's
def clean_email(email: str | None) -> str | None:
    """A syntactically valid email (trimmed), None when empty; raises ValueError otherwise."""
    if email is None or not email.strip():
        return None
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
    return result.normalized


@lru_cache(maxsize=256)
def clean_phone(phone: str | None, region: str = DEFAULT_PHONE_REGION) -> str | None:
    """The phone in E.164, None when empty; raises ValueError when it is not a number."""
    if phone is None or not phone.strip():
        return None
    try:
        parsed = phonenumbers.parse(phone.strip(), region)
    except phonenumbers.NumberParseException:
        raise ValueError("is not a phone number") from None
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError("is not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def clean_domain(value: str | None) -> str | None:
    """A bare lower-case host name from a domain, URL or email; raises ValueError if invalid."""
    if value is None or not value.strip():
        return None
    text = value.strip().lower()
    if "@" in text and "/" not in text:
        text = text.rsplit("@", 1)[1]
    if "://" not in text:
        text = "//" + text
    host = (urlsplit(text).hostname or "").rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    if not _DOMAIN_RE.match(host):
        raise ValueError("is not a domain name")
    return host


def clean_web_url(value: str) -> str:
    """A web address as typed ("acme.com/about" or http(s)://…); raises ValueError otherwise.

    Any other scheme (javascript:, data:, mailto:…) is refused: the lead page links it.
    """
    text = value.strip()
    parts = urlsplit(text if "://" in text else "https://" + text)
    try:
        host = (parts.hostname or "").rstrip(".")
        parts.port  # noqa: B018  (a port that is not a number raises here)
    except ValueError:
        host = ""
    if (
        parts.scheme not in ("http", "https")
        or parts.username is not None
        or not _DOMAIN_RE.match(host.removeprefix("www."))
    ):
        raise ValueError("must be a web address, e.g. https://www.example.com")
    return text
