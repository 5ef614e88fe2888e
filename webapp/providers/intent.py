"""The intent-data provider (DataShopper-shaped): companies showing interest in a topic.

`POST {base}/companies/search` with
`{"topic", "location": {"country","state","city"} | {"text"}, "company_size": {"min","max"},
"industry": [...], "limit"}` → `{"companies": [company, …], "total"}` where a company is
`{name, domain, industry, employee_count, revenue, city, state, country, linkedin_url,
intent_signals: [{signal_type, signal_strength, detected_at, source}]}`
(docs/contracts.md#pipeline-providers).
"""

from __future__ import annotations

from collections.abc import Iterable

from webapp.providers.config import ProviderConfig
from webapp.providers.http import ProviderError, call

PROVIDER = "intent"
MAX_LIMIT = 1000
COMPANY_FIELDS = (
    "name",
    "domain",
    "industry",
    "employee_count",
    "revenue",
    "city",
    "state",
    "country",
    "linkedin_url",
)
STRENGTHS = ("high", "medium", "low")


def _location(location) -> dict | None:
    """A dict of country/state/city, or a string: "City, State, Country", "City, State",
    or one free-text place (sent as `text`, which the provider matches against any part)."""
    if not location:
        return None
    if isinstance(location, str):
        parts = [p.strip() for p in location.split(",") if p.strip()]
        if len(parts) == 1:
            return {"text": parts[0]}
        return dict(zip(("city", "state", "country"), parts[:3], strict=False))
    return {k: location[k] for k in ("country", "state", "city", "text") if location.get(k)}


def _signal(raw: dict) -> dict:
    strength = str(raw.get("signal_strength") or "low").lower()
    return {
        "signal_type": str(raw.get("signal_type") or "").strip(),
        "signal_strength": strength if strength in STRENGTHS else "low",
        "detected_at": raw.get("detected_at"),
        "source": raw.get("source") or "DataShopper",
    }


def _company(raw: dict) -> dict:
    company = {key: raw.get(key) for key in COMPANY_FIELDS}
    company["intent_signals"] = [
        _signal(s) for s in raw.get("intent_signals") or () if isinstance(s, dict)
    ]
    # Anything else the provider said stays, for the lead's raw_data.
    for key, value in raw.items():
        company.setdefault(key, value)
    return company


def search_companies(
    config: ProviderConfig,
    *,
    topic: str,
    location: dict | str | None = None,
    size_min: int | None = None,
    size_max: int | None = None,
    industries: Iterable[str] = (),
    limit: int = 50,
    max_retries: int | None = None,
) -> list[dict]:
    """Companies with intent signals for `topic`; raises ProviderError when refused."""
    body: dict = {"topic": topic, "limit": max(1, min(int(limit), MAX_LIMIT))}
    if loc := _location(location):
        body["location"] = loc
    if size_min is not None or size_max is not None:
        body["company_size"] = {"min": size_min, "max": size_max}
    if industries := [i for i in industries if i]:
        body["industry"] = industries
    options = {} if max_retries is None else {"max_retries": max_retries}
    answer = call(PROVIDER, config, "POST", "companies/search", json=body, **options)
    companies = answer.get("companies") if isinstance(answer, dict) else answer
    if not isinstance(companies, list):
        raise ProviderError(PROVIDER, None, "answered without a list of companies", False)
    return [_company(c) for c in companies if isinstance(c, dict)]
