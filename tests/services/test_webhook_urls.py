"""Webhook URLs must reach public addresses only."""

import pytest

from webapp.services.webhooks.urls import check_webhook_url, is_public_address


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8080/hook",
        "http://10.1.2.3/",
        "http://192.168.1.5/",
        "http://172.16.0.1/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[fe80::1]/",
        "http://0.0.0.0/",
        "http://[fc00::1]/",
        "http://100.64.0.1/",
        "http://[64:ff9b::a00:1]/",
        "http://[2002:7f00:1::]/",
    ],
)
def test_private_and_special_addresses_are_refused(url):
    with pytest.raises(ValueError, match="not a public address"):
        check_webhook_url(url)


def test_private_addresses_allowed_when_configured():
    assert check_webhook_url("http://127.0.0.1:9000/hook", allow_private=True) == ["127.0.0.1"]


@pytest.mark.parametrize(
    "url,reason",
    [
        ("ftp://8.8.8.8/", "http or https"),
        ("not a url", "http or https"),
        ("http://user:pw@8.8.8.8/", "user name"),
        ("http://" + "a" * 2000 + ".com", "at most"),
    ],
)
def test_malformed_urls(url, reason):
    with pytest.raises(ValueError, match=reason):
        check_webhook_url(url)


def test_public_addresses_pass():
    assert check_webhook_url("https://8.8.8.8/hook") == ["8.8.8.8"]
    assert is_public_address("2606:4700:4700::1111")
    assert not is_public_address("::ffff:169.254.169.254")
