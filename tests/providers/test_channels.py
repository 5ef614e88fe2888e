"""E-mail (SMTP and the Resend-shaped API), Slack and platform uploads over real transports."""

from __future__ import annotations

import socket
import time
import uuid
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller

from webapp.providers.config import ProviderNotConfigured
from webapp.providers.email import SmtpSettings, send_email, send_email_api
from webapp.providers.http import ProviderError
from webapp.providers.platforms import TokenBucket, upload_leads
from webapp.providers.slack import post_to_slack


@dataclass
class Route:  # what upload_leads reads of a PlatformRoute
    url: str | None
    api_key: str | None = "platform-key"
    batch_size: int = 50
    rate_limit_per_minute: int = 600
    platform_name: str = "tech-platform"
    workspace_id: uuid.UUID = uuid.UUID(int=0)


def _payload(n: int, **fields) -> dict:
    payload = {
        "id": str(uuid.UUID(int=n + 1)),
        "company_name": f"Company {n}",
        "domain": f"company{n}.com",
        "industry": "Technology",
        "employee_count": 250,
        "revenue": 10_000_000,
        "location": {"city": "San Francisco", "state": "CA", "country": "United States"},
        "intent_score": "hot",
        "intent_signals": [],
        "contacts": [],
        "primary_contact": None,
        "created_at": "2026-01-22T02:15:00Z",
        "enriched_at": "2026-01-22T02:16:30Z",
    }
    return {**payload, **fields}


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture()
def smtp_inbox():
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_smtp_sends_a_plain_message(smtp_inbox):
    inbox, port = smtp_inbox
    send_email(
        SmtpSettings.from_url(f"smtp://127.0.0.1:{port}"),
        "Leadkeeper <lk@example.com>",
        ["sales@example.com"],
        "New hot lead: Acme",
        "Acme is hot.",
    )
    assert inbox.messages[0].rcpt_tos == ["sales@example.com"]
    assert b"New hot lead: Acme" in inbox.messages[0].content


def test_resend_shaped_api_sends_and_the_sandbox_receives(sandbox):
    answer = send_email_api(
        sandbox.config("email_api"),
        to="sales@example.com",
        subject="New hot lead: Acme",
        text="Acme is hot.",
        html="<p>Acme is hot.</p>",
        sender="Leadkeeper <lk@example.com>",
    )
    assert uuid.UUID(answer["id"])
    [mail] = sandbox.received("email")
    assert mail["to"] == ["sales@example.com"] and mail["from"] == "Leadkeeper <lk@example.com>"
    assert (mail["subject"], mail["text"], mail["html"]) == (
        "New hot lead: Acme", "Acme is hot.", "<p>Acme is hot.</p>",
    )  # fmt: skip


def test_resend_shaped_api_sends_once_per_idempotency_key(sandbox):
    def send(key):
        return send_email_api(sandbox.config("email_api"), to="a@example.com", subject="s",
                              text="t", idempotency_key=key)["id"]  # fmt: skip

    assert send("lead-1:email") == send("lead-1:email") != send("lead-2:email")
    assert len(sandbox.received("email")) == 2


def test_resend_shaped_api_failures_are_retried_then_raised(sandbox):
    sandbox.control(fail={"email": {"status": 503, "times": 1, "retry_after": 0}})
    send_email_api(sandbox.config("email_api"), to=["a@example.com"], subject="s", text="t")
    sandbox.control(fail={"email": {"status": 500, "times": 9, "retry_after": 0}})
    with pytest.raises(ProviderError) as caught:
        send_email_api(sandbox.config("email_api"), to="a@example.com", subject="s", text="t",
                       max_retries=1)  # fmt: skip
    assert caught.value.provider == "email_api" and caught.value.status == 500
    assert len(sandbox.received("email")) == 1


def test_slack_posts_and_retries_a_503(sandbox):
    sandbox.control(fail={"slack": {"status": 503, "times": 1, "retry_after": 0}})
    post_to_slack(sandbox.slack_url("T000/B000"), "New hot lead: Acme")
    [message] = sandbox.received("slack")
    assert message["text"] == "New hot lead: Acme" and message["hook"] == "T000/B000"


def test_platform_upload_sends_the_payloads_in_batches_with_the_key(sandbox):
    payloads = [_payload(n) for n in range(7)]
    results = upload_leads(Route(sandbox.platform_url("tech-platform"), batch_size=3), payloads)
    assert results == [{"id": p["id"], "status": "accepted"} for p in payloads]
    received = sandbox.received("platforms")
    assert [r["lead"] for r in received] == payloads
    assert {r["platform"] for r in received} == {"tech-platform"}


def test_the_sandbox_platform_rejects_cold_leads_and_other_shapes(sandbox):
    cold, partial = _payload(1, intent_score="cold"), _payload(2)
    del partial["enriched_at"], partial["location"]
    results = upload_leads(Route(sandbox.platform_url("tech-platform")),
                           [_payload(0, intent_score="warm"), cold, partial])  # fmt: skip
    assert [r["status"] for r in results] == ["accepted", "rejected", "rejected"]
    assert results[1]["error"] == "only hot and warm leads are uploaded"
    assert results[2]["error"] == "missing location, enriched_at"
    assert len(sandbox.received("platforms")) == 1


def test_platform_upload_without_a_key_or_url_is_refused(sandbox):
    with pytest.raises(ProviderError) as caught:
        upload_leads(Route(sandbox.platform_url("tech-platform"), api_key=None), [_payload(1)])
    assert caught.value.status == 401 and not caught.value.retryable
    with pytest.raises(ProviderNotConfigured):
        upload_leads(Route(None), [_payload(1)])
    assert upload_leads(Route(sandbox.platform_url("x")), []) == []
    assert sandbox.received("platforms") == []


def test_platform_upload_retries_a_503_then_succeeds(sandbox):
    sandbox.control(fail={"platforms": {"status": 503, "times": 1, "retry_after": 0}})
    results = upload_leads(Route(sandbox.platform_url("finance-platform")), [_payload(1)])
    assert results[0]["status"] == "accepted"
    assert len(sandbox.received("platforms")) == 1


def test_platform_rate_limit_holds_batches_back(sandbox):
    TokenBucket.reset_local()
    route = Route(
        sandbox.platform_url("retail-platform"), batch_size=1, rate_limit_per_minute=2,
        workspace_id=uuid.uuid4(),
    )  # fmt: skip
    with pytest.raises(ProviderError) as caught:
        upload_leads(route, [_payload(n) for n in range(3)], max_rate_wait=0.5)
    assert caught.value.status == 429 and caught.value.retryable
    assert len(sandbox.received("platforms")) == 2  # a burst of 2, the third must wait 30 s


def _bucket_takes(bucket: TokenBucket) -> list[float]:
    key = f"test:{uuid.uuid4()}"
    return [bucket.try_take(key, rate_per_minute=600, capacity=2) for _ in range(3)]


def test_token_bucket_in_process():
    first, second, third = _bucket_takes(TokenBucket())
    assert first == second == 0 and 0 < third <= 0.1
    started = time.perf_counter()
    waited = TokenBucket().acquire("test:acquire", rate_per_minute=600, capacity=1)
    waited += TokenBucket().acquire("test:acquire", rate_per_minute=600, capacity=1)
    assert waited > 0 and time.perf_counter() - started >= 0.05


def test_token_bucket_in_redis_is_shared(redis_url):
    from redis import Redis

    client = Redis.from_url(redis_url)
    first, second, third = _bucket_takes(TokenBucket(client))
    assert first == second == 0 and 0 < third <= 0.1
    key = f"test:{uuid.uuid4()}"
    assert TokenBucket(client).try_take(key, 60, capacity=1) == 0
    assert TokenBucket(Redis.from_url(redis_url)).try_take(key, 60, capacity=1) > 0.5
