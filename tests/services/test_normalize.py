import pytest

from webapp.services.normalize import (
    clean_domain,
    clean_email,
    clean_email_key,
    clean_phone,
    clean_web_url,
    normalize_email_key,
)


def test_email_key_is_trimmed_and_lowercased():
    assert normalize_email_key("  Jo@Example.com ") == "jo@example.com"
    assert normalize_email_key("   ") is None


@pytest.mark.parametrize(
    "spelling",
    ["ann@münchen.de", "Ann@MÜNCHEN.DE", "ann@xn--mnchen-3ya.de", " ANN@XN--MNCHEN-3YA.DE "],
)
def test_an_international_domain_is_one_email_key_however_it_is_spelt(spelling):
    # The bulk key (core loads, target-client batches) and the leads' key (email_validator,
    # then normalize_email_key) agree: one person, one key, on every way in.
    assert clean_email_key(spelling) == "ann@münchen.de"
    assert normalize_email_key(clean_email(spelling)) == "ann@münchen.de"
    assert normalize_email_key(spelling) == "ann@münchen.de"


def test_an_email_key_refuses_a_domain_idna_refuses():
    with pytest.raises(ValueError):
        clean_email_key("ann@xn--zz.de")


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("+44 20 7946 0958", "+442079460958"),
        ("415-555-0100", "+14155550100"),
        ("", None),
    ],
)
def test_phone_to_e164(raw, expected):
    assert clean_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12", "call me", "+1 555"])
def test_bad_phone(raw):
    with pytest.raises(ValueError):
        clean_phone(raw)


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("Acme.IO", "acme.io"),
        ("https://www.acme.io/x?y", "acme.io"),
        ("sam@acme.io", "acme.io"),
    ],
)
def test_domain(raw, expected):
    assert clean_domain(raw) == expected


def test_bad_email_and_domain():
    with pytest.raises(ValueError):
        clean_email("not an email")
    with pytest.raises(ValueError):
        clean_domain("no spaces allowed.com x")


@pytest.mark.parametrize(
    "raw", ["acme.com", "www.acme.com/about", "https://acme.com", "http://x.acme.co.uk:8080/a?b=c"]
)
def test_web_addresses_are_kept_as_typed(raw):
    assert clean_web_url(f" {raw} ") == raw


@pytest.mark.parametrize(
    "raw",
    [
        "javascript:alert(1)",
        "JavaScript://acme.com/%0aalert(1)",
        "data:text/html,hi",
        "mailto:jo@acme.com",
        "https://user:pw@acme.com",
        "ftp://acme.com",
        "not a url",
        "https://localhost",
    ],
)
def test_other_schemes_and_non_addresses_are_refused(raw):
    with pytest.raises(ValueError, match="must be a web address"):
        clean_web_url(raw)
