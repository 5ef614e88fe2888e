"""The provider adapters against the sandbox provider over real HTTP."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

import pytest

from webapp.providers import contacts, intent
from webapp.providers.config import ProviderConfig
from webapp.providers.http import ProviderError, retry_after_seconds
from webapp.sandbox.data import SIGNAL_TYPES


def _score(signals: list[dict]) -> str:
    high = sum(s["signal_strength"] == "high" for s in signals)
    medium = sum(s["signal_strength"] == "medium" for s in signals)
    if high >= 3 or (high >= 2 and medium >= 3):
        return "hot"
    return "warm" if high >= 1 or medium >= 4 else "cold"


def test_search_answers_datashopper_shaped_companies_the_same_way_twice(sandbox):
    config = sandbox.config("intent")
    first = intent.search_companies(config, topic="AI automation tools", limit=60)
    again = intent.search_companies(config, topic="AI automation tools", limit=60)
    other = intent.search_companies(config, topic="Payroll software", limit=60)

    assert first == again and first != other
    assert len(first) == 60 and len({c["domain"] for c in first}) == 60
    company = first[0]
    for field in intent.COMPANY_FIELDS + ("intent_signals",):
        assert field in company
    assert company["domain"].split(".")[-1] in ("com", "io", "co")
    assert company["linkedin_url"].startswith("https://www.linkedin.com/company/")
    signals = [s for c in first for s in c["intent_signals"]]
    assert {s["signal_type"] for s in signals} == set(SIGNAL_TYPES)
    assert all(s["signal_strength"] == SIGNAL_TYPES[s["signal_type"]] for s in signals)
    assert all(datetime.fromisoformat(s["detected_at"]) < datetime.now(UTC) for s in signals)
    assert {_score(c["intent_signals"]) for c in first} == {"hot", "warm", "cold"}


def test_search_honours_location_size_and_industries(sandbox):
    companies = intent.search_companies(
        sandbox.config("intent"),
        topic="AI automation tools",
        location={"country": "United States", "state": "CA"},
        size_min=50,
        size_max=500,
        industries=["Technology", "Finance"],
        limit=25,
    )
    assert len(companies) == 25
    assert {c["state"] for c in companies} == {"CA"}
    assert {c["country"] for c in companies} == {"United States"}
    assert all(50 <= c["employee_count"] <= 500 for c in companies)
    assert {c["industry"] for c in companies} <= {"Technology", "Finance"}
    assert all(c["revenue"] > 0 for c in companies)


def test_search_takes_a_place_as_text(sandbox):
    config = sandbox.config("intent")
    austin = intent.search_companies(config, topic="CRM", location="Austin", limit=5)
    assert {(c["city"], c["state"]) for c in austin} == {("Austin", "TX")}
    texas = intent.search_companies(config, topic="CRM", location="Dallas, TX", limit=3)
    assert {c["city"] for c in texas} == {"Dallas"}
    nowhere = intent.search_companies(config, topic="CRM", location="Springfield", limit=2)
    assert {c["city"] for c in nowhere} == {"Springfield"}


def test_enrich_finds_clay_shaped_people_on_the_domain_within_the_filters(sandbox):
    config = sandbox.config("contacts")
    domains = [c["domain"] for c in intent.search_companies(
        sandbox.config("intent"), topic="Data warehouses", limit=30)]  # fmt: skip
    found = {domain: contacts.enrich_company(config, domain) for domain in domains}

    assert found == {domain: contacts.enrich_company(config, domain) for domain in domains}
    people = [p for group in found.values() for p in group]
    assert all(len(group) <= 5 for group in found.values())
    assert any(not group for group in found.values()) or len(people) > 30  # some have none
    for domain, group in found.items():
        for person in group:
            assert set(contacts.CONTACT_FIELDS) <= set(person)
            assert person["email"].endswith("@" + domain)
            assert person["seniority"] in ("executive", "director")
            assert any(t in person["title"] for t in ("CEO", "CTO", "VP", "Director"))
            assert person["full_name"] == f"{person['first_name']} {person['last_name']}"
            assert person["phone"].startswith("+1")
    engineers = contacts.enrich_company(
        config, domains[0], titles=("Engineer",), seniorities=(), limit=3
    )
    assert all("Engineer" in p["title"] for p in engineers)


def test_verify_email_is_fixed_per_address_and_some_are_not_valid(sandbox):
    config = sandbox.config("contacts")
    emails = [f"person{i}@acme-analytics.com" for i in range(40)]
    results = [contacts.verify_email(config, e) for e in emails]
    assert results == [contacts.verify_email(config, e) for e in emails]
    statuses = {r["status"] for r in results}
    assert "valid" in statuses and statuses - {"valid"}
    assert statuses <= {"valid", "invalid", "risky", "unknown"}
    assert results[0]["email"] == emails[0]


def test_503_with_retry_after_is_retried_after_the_wait_then_succeeds(sandbox):
    sandbox.control(fail={"intent": {"status": 503, "times": 2, "retry_after": 0.4}})
    started = time.perf_counter()
    companies = intent.search_companies(sandbox.config("intent"), topic="CRM", limit=3)
    assert len(companies) == 3
    assert time.perf_counter() - started >= 0.8  # both waits honoured
    assert sandbox.control() == {"failures": {}, "delay_ms": 0}


def test_429_is_retried_too(sandbox):
    sandbox.control(fail={"contacts": {"status": 429, "times": 1, "retry_after": 0}})
    assert contacts.enrich_company(sandbox.config("contacts"), "acme.com") is not None


def test_retries_exhausted_raise_a_retryable_provider_error(sandbox):
    sandbox.control(fail={"intent": {"status": 503, "times": 5, "retry_after": 0}})
    with pytest.raises(ProviderError) as caught:
        intent.search_companies(sandbox.config("intent"), topic="CRM", max_retries=2)
    error = caught.value
    assert (error.provider, error.status, error.retryable) == ("intent", 503, True)
    assert "injected failure" in error.message
    assert sandbox.control()["failures"]["intent"]["times"] == 2  # 1 try + 2 retries


def test_a_refusal_is_not_retried(sandbox):
    sandbox.control(fail={"verify": {"status": 400, "times": 1}})
    with pytest.raises(ProviderError) as caught:
        contacts.verify_email(sandbox.config("contacts"), "a@acme.com")
    assert (caught.value.status, caught.value.retryable) == (400, False)
    with pytest.raises(ProviderError) as caught:
        contacts.verify_email(sandbox.config("contacts", key="invalid-key"), "a@acme.com")
    assert (caught.value.status, caught.value.retryable) == (401, False)


def test_a_wait_longer_than_the_bound_gives_up_at_once(sandbox):
    sandbox.control(fail={"intent": {"status": 429, "times": 1, "retry_after": 3600}})
    started = time.perf_counter()
    with pytest.raises(ProviderError) as caught:
        intent.search_companies(sandbox.config("intent"), topic="CRM")
    assert time.perf_counter() - started < 2
    assert caught.value.status == 429 and caught.value.retryable


def test_a_slow_provider_times_out(sandbox):
    sandbox.control(delay_ms=1500)
    config = ProviderConfig(sandbox.base_url("intent"), "k", timeout=0.3)
    with pytest.raises(ProviderError) as caught:
        intent.search_companies(config, topic="CRM", max_retries=0)
    assert caught.value.status is None and caught.value.retryable
    assert "timed out" in str(caught.value)


def test_nobody_listening_is_a_retryable_error():
    config = ProviderConfig("http://127.0.0.1:9/intent/v1", "k", timeout=1)
    with pytest.raises(ProviderError) as caught:
        intent.search_companies(config, topic="CRM", max_retries=0)
    assert caught.value.retryable and "could not connect" in caught.value.message


def test_the_key_is_never_logged_or_shown(sandbox, caplog):
    secret = "sk_live_very_secret_123456"
    sandbox.control(fail={"intent": {"status": 503, "times": 1, "retry_after": 0}})
    config = sandbox.config("intent", key=secret)
    with caplog.at_level(logging.DEBUG):
        intent.search_companies(config, topic="CRM", limit=1)
        with pytest.raises(ProviderError) as caught:
            intent.search_companies(sandbox.config("intent", key="invalid-key"), topic="x")
    assert secret not in caplog.text and secret not in repr(config)
    assert "invalid-key" not in str(caught.value)


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2026, 1, 22, 10, 0, 0, tzinfo=UTC)
    later = (now + timedelta(seconds=7)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert retry_after_seconds("3", now) == 3
    assert retry_after_seconds(later, now) == 7
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now) == 0
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None) is None
