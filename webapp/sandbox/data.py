"""Deterministic, realistic synthetic companies, intent signals and contacts.

Everything is drawn from a random generator seeded by the request (topic, filters, domain,
e-mail), so the same question always gets the same answer. Signal dates count back from the
start of the current UTC day, so they stay recent and are stable within a day.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from datetime import UTC, datetime, timedelta

# The seed's signal table (docs/contracts.md#intent-scoring): type → strength.
SIGNAL_TYPES: dict[str, str] = {
    "Company researching topic": "high",
    "Visited competitor website": "high",
    "Downloaded whitepaper": "medium",
    "Attended webinar": "medium",
    "Social media engagement": "low",
    "Job posting related to topic": "medium",
}
HIGH = ("Company researching topic", "Visited competitor website")
MEDIUM = ("Downloaded whitepaper", "Attended webinar", "Job posting related to topic")
LOW = ("Social media engagement",)
SOURCES = ("DataShopper", "DataShopper", "DataShopper", "Bombora", "G2")

INDUSTRIES = (
    ("Technology", 30),
    ("Finance", 14),
    ("Healthcare", 12),
    ("Retail", 10),
    ("Marketing", 10),
    ("Manufacturing", 9),
    ("Logistics", 8),
    ("Education", 7),
)
NAME_FIRST = (
    "Acme", "Blue", "Bright", "Cedar", "Clear", "Copper", "Crest", "Delta", "Ever", "Falcon",
    "Fern", "Granite", "Harbor", "Iron", "Juniper", "Keystone", "Lumen", "Maple", "Meridian",
    "North", "Nova", "Oak", "Orbit", "Pine", "Polar", "Quarry", "Rapid", "Redwood", "Ridge",
    "Sable", "Signal", "Silver", "Summit", "Tandem", "Terra", "Tidal", "Union", "Vector",
    "Willow", "Zenith",
)  # fmt: skip
NAME_SECOND = (
    "Analytics", "Bridge", "Cloud", "Data", "Dynamics", "Field", "Forge", "Grid", "Health",
    "Labs", "Logic", "Loop", "Metrics", "Networks", "Point", "Pulse", "Scale", "Shift",
    "Source", "Stack", "Systems", "Works",
)  # fmt: skip
NAME_SUFFIX = ("", "", "", " Inc.", " Group", " Co.", " Partners", " Technologies")
INDUSTRY_WORDS = {
    "Finance": ("Capital", "Ledger", "Pay", "Trust"),
    "Healthcare": ("Care", "Health", "Med", "Clinic"),
    "Retail": ("Goods", "Market", "Supply", "Shop"),
    "Marketing": ("Media", "Reach", "Brand", "Growth"),
}
LOCATIONS = (
    ("San Francisco", "CA", "United States"), ("San Jose", "CA", "United States"),
    ("Los Angeles", "CA", "United States"), ("San Diego", "CA", "United States"),
    ("Seattle", "WA", "United States"), ("Austin", "TX", "United States"),
    ("Dallas", "TX", "United States"), ("Houston", "TX", "United States"),
    ("New York", "NY", "United States"), ("Boston", "MA", "United States"),
    ("Chicago", "IL", "United States"), ("Denver", "CO", "United States"),
    ("Atlanta", "GA", "United States"), ("Miami", "FL", "United States"),
    ("Raleigh", "NC", "United States"), ("Portland", "OR", "United States"),
    ("Toronto", "ON", "Canada"), ("Vancouver", "BC", "Canada"),
    ("London", "England", "United Kingdom"), ("Manchester", "England", "United Kingdom"),
    ("Berlin", "Berlin", "Germany"), ("Munich", "Bavaria", "Germany"),
)  # fmt: skip
SIZES = (15, 30, 60, 120, 250, 400, 800, 1500, 3000, 8000)

FIRST_NAMES = (
    "Alex", "Amara", "Ben", "Carla", "Chen", "Daniel", "Elena", "Farah", "Gabriel", "Hana",
    "Isaac", "Jasmine", "Jonas", "Kavya", "Liam", "Lucia", "Marcus", "Maya", "Noah", "Olivia",
    "Priya", "Rafael", "Sara", "Tomás", "Uma", "Victor", "Wei", "Yara", "Zoe", "Ibrahim",
)  # fmt: skip
LAST_NAMES = (
    "Adams", "Bauer", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen",
    "Khan", "Lopez", "Meyer", "Nakamura", "Okafor", "Patel", "Quinn", "Rossi", "Schmidt",
    "Silva", "Taylor", "Novak", "Walsh", "Young", "Zhang", "Moreau", "Kowalski", "Reyes",
)  # fmt: skip
# title, seniority, department
ROLES = (
    ("CEO", "executive", "Executive"),
    ("CTO", "executive", "Engineering"),
    ("CFO", "executive", "Finance"),
    ("COO", "executive", "Operations"),
    ("VP of Engineering", "executive", "Engineering"),
    ("VP of Sales", "executive", "Sales"),
    ("VP of Marketing", "executive", "Marketing"),
    ("Director of IT", "director", "IT"),
    ("Director of Operations", "director", "Operations"),
    ("Director of Marketing", "director", "Marketing"),
    ("Director of Engineering", "director", "Engineering"),
    ("Head of Growth", "director", "Marketing"),
    ("Engineering Manager", "manager", "Engineering"),
    ("Sales Manager", "manager", "Sales"),
    ("Account Executive", "individual", "Sales"),
    ("Software Engineer", "individual", "Engineering"),
)


def _rng(*parts) -> random.Random:
    text = json.dumps(parts, sort_keys=True, default=str)
    return random.Random(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big"))


def _weighted(rng: random.Random, pairs) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _day_start() -> datetime:
    now = datetime.now(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _signals(rng: random.Random, topic: str) -> list[dict]:
    """A mix so hot, warm and cold companies all occur (about 25% / 40% / 35%)."""
    profile = rng.choices(("hot", "warm", "cold"), weights=(25, 40, 35))[0]
    if profile == "hot":
        if rng.random() < 0.5:
            high, medium = rng.randint(3, 4), rng.randint(0, 3)
        else:
            high, medium = 2, rng.randint(3, 4)
    elif profile == "warm":
        if rng.random() < 0.6:
            high, medium = 1, rng.randint(0, 3)
        else:
            high, medium = 0, rng.randint(4, 5)
    else:
        high, medium = 0, rng.randint(0, 3)
    low = rng.randint(0, 3)
    types = (
        [rng.choice(HIGH) for _ in range(high)]
        + [rng.choice(MEDIUM) for _ in range(medium)]
        + [rng.choice(LOW) for _ in range(low)]
    )
    rng.shuffle(types)
    day = _day_start()
    signals = []
    for signal_type in types:
        detected = day - timedelta(minutes=rng.randint(60, 30 * 24 * 60))
        signals.append(
            {
                "signal_type": signal_type,
                "signal_strength": SIGNAL_TYPES[signal_type],
                "detected_at": detected.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "source": rng.choice(SOURCES),
                "topic": topic,
            }
        )
    signals.sort(key=lambda s: s["detected_at"], reverse=True)
    return signals


def _company_name(rng: random.Random, industry: str) -> str:
    second = rng.choice(INDUSTRY_WORDS.get(industry, NAME_SECOND) + NAME_SECOND[:4])
    return f"{rng.choice(NAME_FIRST)} {second}{rng.choice(NAME_SUFFIX)}"


def _location(rng: random.Random, wanted: dict) -> tuple[str | None, str | None, str | None]:
    text = str(wanted.get("text") or "").strip().lower()
    pool = [
        loc
        for loc in LOCATIONS
        if all(
            not wanted.get(key) or str(wanted[key]).strip().lower() == value.lower()
            for key, value in zip(("city", "state", "country"), loc, strict=True)
        )
        and (not text or text in {part.lower() for part in loc})
    ]
    if pool:
        return rng.choice(pool)
    city, state, country = rng.choice(LOCATIONS)
    if text:  # a place we do not know: take it as the city
        return wanted.get("city") or str(wanted["text"]).strip(), None, None
    return (
        wanted.get("city") or (None if wanted.get("state") else city),
        wanted.get("state") or (None if wanted.get("country") else state),
        wanted.get("country") or country,
    )


def _size(rng: random.Random, low: int | None, high: int | None) -> int:
    low = max(1, int(low)) if low else 1
    high = int(high) if high else max(low * 4, 10_000)
    if high < low:
        low, high = high, low
    fitting = [s for s in SIZES if low <= s <= high]
    base = rng.choice(fitting) if fitting else rng.randint(low, high)
    return max(low, min(high, int(base * rng.uniform(0.8, 1.25))))


def search_companies(body: dict) -> list[dict]:
    """The companies a DataShopper-shaped search answers for this request body."""
    topic = str(body.get("topic") or body.get("query") or "").strip()
    location = body.get("location") if isinstance(body.get("location"), dict) else {}
    size = body.get("company_size") if isinstance(body.get("company_size"), dict) else {}
    industries = [i for i in (body.get("industry") or body.get("industries") or []) if i]
    if isinstance(industries, str):
        industries = [industries]
    limit = max(1, min(int(body.get("limit") or 50), 1000))
    seed = (topic.lower(), location, size, sorted(industries), limit)
    rng = _rng("search", *seed)
    companies, domains = [], set()
    for index in range(limit):
        crng = _rng("company", *seed, index)
        industry = crng.choice(industries) if industries else _weighted(crng, INDUSTRIES)
        name = _company_name(crng, industry)
        slug = _slug(name.replace(" Inc.", "").replace(" Co.", ""))
        domain = f"{slug}.{crng.choice(('com', 'com', 'io', 'co'))}"
        if domain in domains:  # two companies of one answer never share a domain
            domain = f"{slug}-{index}.com"
        domains.add(domain)
        city, state, country = _location(crng, location or {})
        employees = _size(crng, size.get("min"), size.get("max"))
        companies.append(
            {
                "id": "ds_" + hashlib.sha1(domain.encode()).hexdigest()[:12],  # noqa: S324
                "name": name,
                "domain": domain,
                "website": f"https://{domain}",
                "industry": industry,
                "employee_count": employees,
                "revenue": int(employees * crng.randint(80, 320)) * 1000,
                "city": city,
                "state": state,
                "country": country,
                "linkedin_url": f"https://www.linkedin.com/company/{slug}",
                "intent_signals": _signals(crng, topic or "topic"),
            }
        )
    rng.shuffle(companies)
    return companies


def _matches(role: tuple[str, str, str], titles: list[str], seniorities: list[str]) -> bool:
    title, seniority, _ = role
    title_ok = not titles or any(t.strip().lower() in title.lower() for t in titles if t)
    seniority_ok = not seniorities or seniority in {s.strip().lower() for s in seniorities}
    return title_ok and seniority_ok


def enrich_company(body: dict) -> list[dict]:
    """People at the domain (none at about 1 in 12 domains), filtered and limited."""
    domain = str(body.get("domain") or "").strip().lower()
    filters = body.get("filters") if isinstance(body.get("filters"), dict) else {}
    titles = list(filters.get("job_titles") or [])
    seniorities = list(filters.get("seniority_levels") or [])
    limit = max(1, min(int(body.get("limit") or 5), 25))
    rng = _rng("people", domain)
    if not domain or rng.random() < 1 / 12:
        return []
    roles = rng.sample(ROLES, k=rng.randint(4, 10))
    people, used = [], set()
    for role in roles:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        while (first, last) in used:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        used.add((first, last))
        local = _slug(first).replace("-", "")
        style = rng.random()
        if style < 0.6:
            local = f"{local}.{_slug(last).replace('-', '')}"
        elif style < 0.8:
            local = f"{local[0]}{_slug(last).replace('-', '')}"
        title, seniority, department = role
        people.append(
            {
                "full_name": f"{first} {last}",
                "first_name": first,
                "last_name": last,
                "email": f"{local}@{domain}",
                "title": title,
                "seniority": seniority,
                "department": department,
                "linkedin_url": f"https://www.linkedin.com/in/{_slug(first + ' ' + last)}-"
                f"{rng.randint(1000, 9999)}",
                "phone": f"+1{rng.choice(('415', '212', '512', '617', '206'))}555"
                f"{rng.randint(100, 199):04d}",
            }
        )
    return [p for p, r in zip(people, roles, strict=True) if _matches(r, titles, seniorities)][
        :limit
    ]


def verify_email(email: str) -> dict:
    """valid (most), risky, invalid or unknown: fixed per address."""
    text = (email or "").strip().lower()
    if "@" not in text:
        return {"email": email, "status": "invalid", "reason": "not an address"}
    roll = _rng("verify", text).random()
    if roll < 0.70:
        status = "valid"
    elif roll < 0.82:
        status = "risky"
    elif roll < 0.92:
        status = "invalid"
    else:
        status = "unknown"
    return {"email": email, "status": status}
