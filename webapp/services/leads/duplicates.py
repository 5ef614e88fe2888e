"""Possible duplicates without a shared email: similar names at the same company or domain."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations, groupby

from rapidfuzz import fuzz
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from webapp.models import Lead

NAME_THRESHOLD = 85
CANDIDATE_LIMIT = 200
GROUP_LIMIT = 50  # names compared within one company at most; larger groups are sampled
PAIR_LIMIT = 1000


@dataclass
class Candidate:
    lead: Lead
    other: Lead
    score: int
    reason: str


def _folded(text: str) -> str:
    """Lower-cased, accents dropped: "María López" and "Maria Lopez" are one name."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _name(lead: Lead) -> str:
    if lead.type == "company":
        return _folded(lead.company_name or "")
    return _folded(
        " ".join(p for p in (lead.first_name, lead.last_name) if p) or (lead.full_name or "")
    )


def _compare(lead: Lead, other: Lead) -> Candidate | None:
    if lead.id == other.id or lead.type != other.type:
        return None
    left, right = _name(lead), _name(other)
    if not left or not right:
        return None
    score = int(fuzz.token_sort_ratio(left, right))
    if score < NAME_THRESHOLD:
        return None
    if lead.company_domain and lead.company_domain == other.company_domain:
        where = f"same domain {lead.company_domain}"
    else:
        where = f"same company {lead.company_name}"
    return Candidate(lead, other, score, f"{where}, names {score}% alike")


def find_lead_duplicates(session: Session, lead: Lead, limit: int = 5) -> list[Candidate]:
    """Leads of the workspace that look like the same person or company as `lead`."""
    same_company = []
    if lead.company_domain:
        same_company.append(Lead.company_domain == lead.company_domain)
    if lead.company_name:
        same_company.append(func.lower(Lead.company_name) == lead.company_name.lower())
    if not same_company:
        return []
    others = session.execute(
        select(Lead)
        .where(Lead.workspace_id == lead.workspace_id, Lead.id != lead.id, or_(*same_company))
        .limit(CANDIDATE_LIMIT)
    ).scalars()
    found = [c for c in (_compare(lead, other) for other in others) if c]
    return sorted(found, key=lambda c: -c.score)[:limit]


def find_duplicate_pairs(
    session: Session,
    workspace_id: uuid.UUID,
    progress: Callable[[int, int], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> list[Candidate]:
    """Every likely duplicate pair in the workspace, best match first.

    Two passes (shared domains, then shared company names); `progress(done, 2)` is
    told after each, and `stop()` asked before the second (a scan job's cancel check).
    """
    shared_domains = (
        select(Lead.company_domain)
        .where(Lead.workspace_id == workspace_id, Lead.company_domain.is_not(None))
        .group_by(Lead.company_domain)
        .having(func.count() > 1)
    )
    shared_names = (
        select(func.lower(Lead.company_name))
        .where(Lead.workspace_id == workspace_id, Lead.company_name.is_not(None))
        .group_by(func.lower(Lead.company_name))
        .having(func.count() > 1)
    )
    pairs: dict[tuple, Candidate] = {}
    for done, (key, query) in enumerate(
        (
            (
                lambda lead: lead.company_domain,
                select(Lead).where(Lead.company_domain.in_(shared_domains)),
            ),
            (
                lambda lead: (lead.company_name or "").lower(),
                select(Lead).where(func.lower(Lead.company_name).in_(shared_names)),
            ),
        )
    ):
        if done and stop is not None and stop():
            break
        leads = session.execute(query.where(Lead.workspace_id == workspace_id)).scalars().all()
        for _, group in groupby(sorted(leads, key=key), key=key):
            for left, right in combinations(list(group)[:GROUP_LIMIT], 2):
                pair_key = tuple(sorted((str(left.id), str(right.id))))
                if pair_key not in pairs and (found := _compare(left, right)):
                    pairs[pair_key] = found
                if len(pairs) >= PAIR_LIMIT:
                    break
        if progress is not None:
            progress(done + 1, 2)
    return sorted(pairs.values(), key=lambda c: (-c.score, str(c.lead.id)))


def pairs_to_result(pairs: list[Candidate]) -> dict:
    """A scan's pairs as a small JSON document (ids, score, reason) kept with its run."""
    return {
        "pairs": [
            {"lead": str(c.lead.id), "other": str(c.other.id), "score": c.score, "reason": c.reason}
            for c in pairs
        ]
    }


def pairs_from_result(session: Session, workspace_id: uuid.UUID, result: dict | None):
    """The pairs a scan kept, as candidates again; a pair with a merged or deleted lead drops."""
    stored = (result or {}).get("pairs", [])
    ids = {uuid.UUID(i) for p in stored for i in (p["lead"], p["other"])}
    leads = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids)[start : start + 500]
        for lead in session.execute(
            select(Lead).where(Lead.workspace_id == workspace_id, Lead.id.in_(chunk))
        ).scalars():
            leads[str(lead.id)] = lead
    return [
        Candidate(leads[p["lead"]], leads[p["other"]], p["score"], p["reason"])
        for p in stored
        if p["lead"] in leads and p["other"] in leads
    ]
