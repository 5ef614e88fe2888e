"""The normalisers' properties (hypothesis): idempotent, and their output keeps its rules."""

from __future__ import annotations

import string

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.services.normalize import (
    clean_domain,
    clean_email,
    clean_linkedin_url,
    normalize_email_key,
)

LABEL = st.text(string.ascii_letters + string.digits, min_size=1, max_size=12)
UNICODE_LABEL = st.text(
    st.characters(whitelist_categories=("Ll", "Lu", "Nd"), max_codepoint=0x2FFF),
    min_size=1,
    max_size=10,
)
TLD = st.sampled_from(["com", "io", "co.uk", "de", "technology", "xn--p1ai"])
DOMAIN = st.builds(
    lambda labels, tld: ".".join([*labels, tld]), st.lists(LABEL, min_size=1, max_size=3), TLD
)
DECORATED = st.builds(
    lambda scheme, www, domain, port, path, upper: (
        scheme + www + (domain.upper() if upper else domain) + port + path
    ),
    st.sampled_from(["", "http://", "https://", "HTTPS://", "//"]),
    st.sampled_from(["", "www.", "WWW."]),
    DOMAIN,
    st.sampled_from(["", ":8080", ":443"]),
    st.sampled_from(["", "/", "/about", "/a/b?c=d#e", "?q=1"]),
    st.booleans(),
)
SETTINGS = settings(max_examples=200, deadline=None, database=None)


def _or_error(function, value):
    try:
        return function(value)
    except ValueError:
        return ValueError


@SETTINGS
@given(st.text(max_size=80))
def test_domain_is_idempotent_on_anything(text):
    once = _or_error(clean_domain, text)
    if once not in (ValueError, None):
        assert clean_domain(once) == once


@SETTINGS
@given(DECORATED)
def test_domain_strips_scheme_www_port_path_and_case(raw):
    domain = clean_domain(raw)
    assert domain == domain.lower() and domain.isascii()
    assert not domain.startswith("www.")
    assert not any(c in domain for c in "/:?#@ ")
    assert clean_domain(domain) == domain
    bare = raw.lower().split("//")[-1].removeprefix("www.").split(":")[0].split("/")[0]
    assert domain == bare.split("?")[0]


@SETTINGS
@given(st.lists(UNICODE_LABEL, min_size=1, max_size=2), TLD)
def test_international_domains_become_their_ascii_form(labels, tld):
    raw = ".".join([*labels, tld])
    domain = _or_error(clean_domain, raw)
    if domain is ValueError:
        return  # not every string of letters is a valid IDNA label
    assert domain.isascii() and clean_domain(domain) == domain


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("https://www.Harness.io:8443/pricing?x=1", "harness.io"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("https://www.bücher.de/", "xn--bcher-kva.de"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("  aj@Harness.IO ", "harness.io"),
    ],
)
def test_domain_examples(raw, expected):
    assert clean_domain(raw) == expected


SLUG = st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=30)
LINKEDIN = st.builds(
    lambda scheme, host, slug, tail: f"{scheme}{host}/in/{slug}{tail}",
    st.sampled_from(["", "http://", "https://"]),
    st.sampled_from(["linkedin.com", "www.linkedin.com", "uk.linkedin.com", "WWW.LinkedIn.com"]),
    SLUG,
    st.sampled_from(["", "/", "?trk=abc", "/#x", "/details/experience/"]),
)


@SETTINGS
@given(LINKEDIN)
def test_linkedin_url_is_canonical(raw):
    url = clean_linkedin_url(raw)
    assert url.startswith("linkedin.com/in/") and url.count("/") == 2
    assert url == url.lower() and clean_linkedin_url(url) == url


@SETTINGS
@given(st.text(max_size=60))
def test_linkedin_url_is_idempotent_on_anything(text):
    once = _or_error(clean_linkedin_url, "linkedin.com/in/" + text)
    if once not in (ValueError, None):
        assert clean_linkedin_url(once) == once
        assert " " not in once and once.isascii()


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("linkedin.com/in/ajpahl", "linkedin.com/in/ajpahl"),
        ("https://www.linkedin.com/in/AJPahl/", "linkedin.com/in/ajpahl"),
        ("http://uk.linkedin.com/in/ajpahl?trk=public", "linkedin.com/in/ajpahl"),
        ("https://www.linkedin.com/company/harness-inc/about/", "linkedin.com/company/harness-inc"),
    ],
)
def test_linkedin_examples(raw, expected):
    assert clean_linkedin_url(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "https://twitter.com/in/aj",
        "linkedin.com/feed/",
        "linkedin.com/in/",
        "evil-linkedin.com/in/x",
    ],
)
def test_not_linkedin_profiles(raw):
    with pytest.raises(ValueError, match="LinkedIn"):
        clean_linkedin_url(raw)


def test_linkedin_kind_is_enforced():
    with pytest.raises(ValueError):
        clean_linkedin_url("linkedin.com/company/acme", kind="in")


@SETTINGS
@given(st.text(max_size=60))
def test_email_key_is_idempotent_trimmed_and_lowercase(text):
    key = normalize_email_key(text)
    if key is not None:
        assert key == key.strip() and key == key.lower()
        assert normalize_email_key(key) == key


def _validated(address):
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return ValueError


EMAIL_PART = st.text(string.ascii_letters + string.digits + ".-_+", min_size=1, max_size=20)
EMAIL_HOST = st.lists(
    st.one_of(
        EMAIL_PART,
        st.sampled_from(["xn--p1ai", "ab--cd", "test", "local", "LOCALHOST", "onion", "com"]),
        st.sampled_from(["Example", "a" * 63, "b" * 64, "9", "-x", "x-", "é"]),
    ),
    min_size=1,
    max_size=5,
).map(".".join)
EMAIL_LOCAL = st.one_of(
    EMAIL_PART, st.sampled_from(["Info", "SALES", "postmaster", "o'neil", "a" * 250])
)


@settings(max_examples=1000, deadline=None, database=None)
@given(EMAIL_LOCAL, EMAIL_HOST)
def test_email_is_what_email_validator_says(local, host):
    """clean_email's shortcut for plain addresses answers as validate_email does."""
    clean_email.cache_clear()
    address = f"{local}@{host}"
    assert _or_error(clean_email, address) == _validated(address)


@pytest.mark.parametrize(
    "address",
    [
        "Jo.Doe@Example.COM",
        "jo+tag@sub.example.co.uk",
        "INFO@example.com",
        "a@b.c",
        "a@b.9",
        "a@b.c9",
        "a@example.test",
        "a@my.localhost",
        "a@xn--p1ai.com",
        "a@ab--cd.com",
        "a@-ab.com",
        "a@ab-.com",
        "a..b@example.com",
        ".a@example.com",
        "a.@example.com",
        "a@example..com",
        "a@example.com.",
        f"{'a' * 64}@example.com",
        f"{'a' * 242}@example.com",  # 254 characters: the longest allowed
        f"{'a' * 243}@example.com",
        f"a@{'b' * 63}.com",
        f"a@{'b' * 64}.com",
    ],
)
def test_email_edge_cases_match_email_validator(address):
    clean_email.cache_clear()
    assert _or_error(clean_email, address) == _validated(address)
