"""The one normaliser for emails, domains, LinkedIn URLs and phones.

Keys are compared as these functions make them, everywhere (capture, imports, the
core loaders, the target-client endpoints): a domain is a bare lower-case ASCII
host name (IDNA for international names), a LinkedIn URL is `linkedin.com/in/<slug>`
(or `/company/<slug>`), an email key is trimmed and lower-cased with an international
domain in its Unicode form, as email_validator gives it to every lead (so "ü" and its
"xn--" spelling are one key on every way in). Each function is idempotent: applied to
its own output it returns the same value.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote, urlsplit

import idna
import phonenumbers
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

DEFAULT_PHONE_REGION = "US"
_DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,63}|xn--[a-z0-9-]{1,59})$"
)
_LINKEDIN_KINDS = ("in", "company")
_SLUG_SAFE = "-_.%~"
_CANONICAL_LINKEDIN = re.compile(
    r"^linkedin\.com/(in|company)/(?=[a-z0-9_%-])[a-z0-9_.%~-]{1,200}$"
)


def normalize_email_key(email: str | None) -> str | None:
    """The dedupe key: trimmed and lower-cased, or None when empty.

    An international domain, in Unicode or punycode ("xn--"), becomes the Unicode form
    clean_email (email_validator) stores on leads; the local part is NFC.
    """
    if email is None:
        return None
    key = email.strip().lower()
    if key.isascii() and "xn--" not in key:
        return key or None  # the common case, kept cheap for million-row loads
    local, at, domain = key.rpartition("@")
    if at:
        # Not a valid name: the domain stays as written (clean_email_key refuses it).
        key = unicodedata.normalize("NFC", local) + "@" + (_unicode_domain(domain) or domain)
    return key or None


@lru_cache(maxsize=1024)
def _unicode_domain(domain: str) -> str | None:
    try:
        return idna.decode(idna.encode(domain, uts46=True))
    except (idna.IDNAError, UnicodeError):
        return None


_PLAUSIBLE_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clean_email_key(email: str | None) -> str | None:
    """The key of an email in bulk work (loaders, batches): trimmed and lower-cased, and
    shaped like an address (one @, a dot in the domain, no spaces); ValueError otherwise.

    Cheaper than clean_email's full check, which a million-row load cannot afford.
    """
    key = normalize_email_key(email)
    if key is None:
        return None
    if len(key) > 254 or not _PLAUSIBLE_EMAIL.match(key):
        raise ValueError("is not an email address")
    international = not key.isascii() or "xn--" in key
    if international and _unicode_domain(key.rpartition("@")[2]) is None:  # IDNA refuses it
        raise ValueError("is not an email address")
    return key


# The addresses nearly every file holds: ASCII, a dot-atom of letters, digits, "_", "+"
# and "-" before the @, a host name ending in a letter after it. For these (minus the
# cases `_plain_email` sends on) validate_email's answer is the address with its domain
# lower-cased, which UTS-46 mapping does to ASCII; tests/services/test_normalize.py holds
# the fast answer to validate_email's over a corpus of edge cases.
_PLAIN_EMAIL = re.compile(
    r"([A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*)"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z0-9][A-Za-z0-9-]{0,61})?[A-Za-z])"
)
_MAILBOX_NAMES = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)
_SPECIAL_USE_SUFFIXES = tuple("." + name for name in SPECIAL_USE_DOMAIN_NAMES)


def _plain_email(text: str) -> str | None:
    """validate_email's normalised form of a plain address, None for any other address."""
    match = _PLAIN_EMAIL.fullmatch(text)
    if match is None or len(text) > 254:
        return None
    local, domain = match[1], match[2].lower()
    if "--" in domain or local.lower() in _MAILBOX_NAMES:  # Punycode, R-LDH labels, RFC 2142
        return None
    if ("." + domain).endswith(_SPECIAL_USE_SUFFIXES):  # .test, .local, .invalid…
        return None
    return f"{local}@{domain}"


@lru_cache(maxsize=256)  # a capture checks the same value twice: the form's rules, the lead's
def clean_email(email: str | None) -> str | None:
    """A syntactically valid email (trimmed), None when empty; raises ValueError otherwise."""
    if email is None or not email.strip():
        return None
    plain = _plain_email(email.strip())
    if plain is not None:  # validate_email's own answer, at a tenth of its cost
        return plain
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        # A reason is a phrase that callers join into sentences: no period of its own.
        raise ValueError(str(exc).rstrip(".")) from None
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
    if _DOMAIN_RE.match(text) and not text.startswith("www."):
        return text  # already a bare domain: the common case of a bulk load
    if "@" in text and "/" not in text:
        text = text.rsplit("@", 1)[1]
    if "://" not in text and not text.startswith("//"):
        text = "//" + text
    try:
        host = (urlsplit(text).hostname or "").rstrip(".")
    except ValueError:  # e.g. an unclosed "[" of an IPv6 literal
        host = ""
    host = host.removeprefix("www.")
    if host and not host.isascii():
        try:  # an international name as its ASCII (punycode) form, as DNS has it
            host = idna.encode(host, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            raise ValueError("is not a domain name") from None
        host = host.removeprefix("www.")
    if not _DOMAIN_RE.match(host):
        raise ValueError("is not a domain name")
    return host


def clean_linkedin_url(value: str | None, kind: str | None = None) -> str | None:
    """`linkedin.com/in/<slug>` (or `linkedin.com/company/<slug>`), None when empty.

    Takes any form people paste: with or without scheme, `www.` or a country host
    (`uk.linkedin.com`), a trailing slash, a query or fragment, mixed case. `kind`
    ("in" or "company") insists on one kind; raises ValueError otherwise.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    canonical = _CANONICAL_LINKEDIN.match(text)
    if canonical and (kind is None or canonical.group(1) == kind):
        return text  # already canonical: the common case of a bulk load
    if "://" not in text and not text.startswith("//"):
        text = "//" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        host, parts = "", None
    kinds = (kind,) if kind else _LINKEDIN_KINDS
    wanted = " or ".join(f"linkedin.com/{k}/<name>" for k in kinds)
    if parts is None or not (host == "linkedin.com" or host.endswith(".linkedin.com")):
        raise ValueError(f"must be a LinkedIn URL ({wanted})")
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2 or segments[0].lower() not in kinds:
        raise ValueError(f"must be a LinkedIn URL ({wanted})")
    # Slugs are case-insensitive; anything outside a URL's safe set is percent-encoded
    # (lower-case hex), so the result reads back as itself.
    slug = quote(segments[1].lower(), safe=_SLUG_SAFE).lower()
    if len(slug) > 200 or not slug.strip(".~"):
        raise ValueError(f"must be a LinkedIn URL ({wanted})")
    return f"linkedin.com/{segments[0].lower()}/{slug}"


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
