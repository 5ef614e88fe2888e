"""The contact provider (Clay-shaped): people at a company, and e-mail verification.

`POST {base}/enrich/company` with `{"domain", "filters": {"job_titles": [...],
"seniority_levels": [...]}, "limit"}` → `{"contacts": [contact, …]}`;
`POST {base}/verify/email` with `{"email"}` → `{"email", "status"}`
(docs/contracts.md#pipeline-providers).
"""

from __future__ import annotations

from collections.abc import Iterable

from webapp.providers.config import ProviderConfig
from webapp.providers.http import ProviderError, call

PROVIDER = "contacts"
CONTACT_FIELDS = (
    "full_name",
    "first_name",
    "last_name",
    "email",
    "title",
    "seniority",
    "department",
    "linkedin_url",
    "phone",
)
VERIFY_STATUSES = ("valid", "invalid", "risky", "unknown")
MAX_LIMIT = 25


def _contact(raw: dict) -> dict:
    contact = {key: raw.get(key) for key in CONTACT_FIELDS}
    if not contact["full_name"]:
        contact["full_name"] = (
            " ".join(p for p in (contact["first_name"], contact["last_name"]) if p) or None
        )
    return contact


def enrich_company(
    config: ProviderConfig,
    domain: str,
    *,
    titles: Iterable[str] = ("CEO", "CTO", "VP", "Director"),
    seniorities: Iterable[str] = ("executive", "director"),
    limit: int = 5,
    company_name: str | None = None,
    max_retries: int | None = None,
) -> list[dict]:
    """Up to `limit` people at `domain` matching the title and seniority filters."""
    body: dict = {
        "domain": domain,
        "filters": {"job_titles": list(titles), "seniority_levels": list(seniorities)},
        "limit": max(1, min(int(limit), MAX_LIMIT)),
    }
    if company_name:
        body["company_name"] = company_name
    options = {} if max_retries is None else {"max_retries": max_retries}
    answer = call(PROVIDER, config, "POST", "enrich/company", json=body, **options)
    contacts = answer.get("contacts") if isinstance(answer, dict) else answer
    if not isinstance(contacts, list):
        raise ProviderError(PROVIDER, None, "answered without a list of contacts", False)
    return [_contact(c) for c in contacts if isinstance(c, dict)][: body["limit"]]


def verify_email(config: ProviderConfig, email: str, *, max_retries: int | None = None) -> dict:
    """`{"email", "status"}` with status valid, invalid, risky or unknown."""
    options = {} if max_retries is None else {"max_retries": max_retries}
    answer = call(PROVIDER, config, "POST", "verify/email", json={"email": email}, **options)
    status = str((answer or {}).get("status") or "unknown").lower()
    return {"email": email, "status": status if status in VERIFY_STATUSES else "unknown"}
