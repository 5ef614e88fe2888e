"""The one filter model: My Leads, bulk "all matching", exports and dynamic lists share it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields
from datetime import date
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, event, false, func, literal_column, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool
from werkzeug.datastructures import MultiDict

from webapp.models import Lead, Tag, User, lead_tags
from webapp.models.leads import INTENTS, LEAD_TYPES, SOURCES, STATUSES
from webapp.services.days import day_end, day_start, parse_day

PAGE_SIZES = (25, 50, 100)
_EMPTY = literal_column("''")  # a literal, so the planner matches the index's expression
# The name a row shows (full name, else models.leads.NAMED_BY's fields), lower-cased so
# "b@x.io" does not sort after "Zed" on SQLite; migration 0010 indexes the same expression.
SORT_NAME = func.lower(
    func.coalesce(
        func.nullif(Lead.full_name, _EMPTY),
        func.nullif(Lead.company_name, _EMPTY),
        Lead.email_normalized,
        Lead.phone,
        Lead.company_domain,
        Lead.website,
        Lead.linkedin_url,
    )
)
# Migration 0011 indexes the same expression.
SORT_COMPANY = func.lower(func.nullif(Lead.company_name, _EMPTY))
SORTS = {
    "name": SORT_NAME,
    "company": SORT_COMPANY,
    "email": Lead.email_normalized,
    "status": Lead.status,
    "score": Lead.lead_score,
    "intent": Lead.intent,
    "owner": Lead.assigned_to_id,
    "source": Lead.source,
    "created": Lead.created_at,
}
MAX_QUERY_LENGTH = 200


@dataclass
class LeadFilter:
    statuses: list[str] = field(default_factory=list)
    type: str | None = None
    sources: list[str] = field(default_factory=list)
    owner: str | None = None  # "me", "unassigned", "any" (said so: everyone's) or a user id
    intents: list[str] = field(default_factory=list)
    score_min: int | None = None
    score_max: int | None = None
    tag: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    q: str = ""
    list_id: str | None = None  # a lead list of the workspace ("list" in the URL)
    sort: str = "created"
    direction: str = "desc"
    page: int = 1
    per_page: int = 25

    @classmethod
    def from_args(cls, args: MultiDict | dict, default_owner: str | None = None) -> LeadFilter:
        """Parse query args; anything unknown or malformed is ignored, never an error.

        With no owner in `args`, the owner is `default_owner` (My Leads opens a rep on
        "me"); "owner=any" says everyone's explicitly, so the URL holds the whole view.
        """
        args = args if isinstance(args, MultiDict) else MultiDict(args)
        owner = _owner(args.get("owner")) if "owner" in args else default_owner
        result = cls(
            statuses=[s for s in args.getlist("status") if s in STATUSES],
            type=args.get("type") if args.get("type") in LEAD_TYPES else None,
            sources=[s for s in args.getlist("source") if s in SOURCES],
            owner=owner,
            intents=[i for i in args.getlist("intent") if i in INTENTS],
            score_min=_int(args.get("score_min"), 0, 100),
            score_max=_int(args.get("score_max"), 0, 100),
            tag=_typed(args.get("tag")).lower() or None,
            created_from=parse_day(args.get("created_from")),
            created_to=parse_day(args.get("created_to")),
            q=_typed(args.get("q"))[:MAX_QUERY_LENGTH],
            list_id=_uuid_text(args.get("list")),
            sort=args.get("sort") if args.get("sort") in SORTS else "created",
            direction="asc" if args.get("direction") == "asc" else "desc",
            page=min(_int(args.get("page"), 1, 10**30) or 1, 10**6),  # past the end: the last
            per_page=_int(args.get("per_page"), 1, 100) or 25,
        )
        if result.per_page not in PAGE_SIZES:
            result.per_page = 25
        return result

    def to_args(self, **changes) -> dict:
        """Query args for a URL with this state (and `changes`), defaults left out."""
        args: dict = {}
        for key, default in _DEFAULTS.items():  # a page renders a dozen links: kept lean
            value = changes[key] if key in changes else getattr(self, key)
            if value in (None, "", []) or value == default:
                continue
            args[_ARG_NAMES.get(key, key)] = value.isoformat() if isinstance(value, date) else value
        for key, value in changes.items():  # arguments of other pages, e.g. export's scope
            if key not in _DEFAULTS and value not in (None, "", []):
                args[key] = value
        return args

    def criteria(self) -> dict:
        """The filter alone (no paging or sorting), e.g. for audit rows and saved lists."""
        return {
            k: v
            for k, v in self.to_args().items()
            if k not in ("sort", "direction", "page", "per_page")
            and not (k == "owner" and v == "any")
        }

    @property
    def is_filtered(self) -> bool:
        return bool(self.criteria())


_DEFAULTS = {f.name: getattr(LeadFilter(), f.name) for f in fields(LeadFilter)}
_ARG_NAMES = {
    "statuses": "status",
    "sources": "source",
    "intents": "intent",
    "list_id": "list",
}


_CHOICES = {"status": STATUSES, "type": LEAD_TYPES, "source": SOURCES, "intent": INTENTS}


def invalid_criteria(args: MultiDict | dict) -> dict[str, str]:
    """The filter values in `args` that from_args would drop, each with why.

    Browsing ignores them; a saved filter must refuse them instead, or a typo widens a
    dynamic list to every lead. Empty values are "any" (the filter bar sends them).
    """
    args = args if isinstance(args, MultiDict) else MultiDict(args)
    errors: dict[str, str] = {}
    for name, allowed in _CHOICES.items():
        if any(v not in allowed for v in args.getlist(name) if v != ""):
            errors[name] = f"must be one of {', '.join(allowed)}"
    for name in ("score_min", "score_max"):
        if args.get(name, "") != "" and _int(args.get(name), 0, 100) is None:
            errors[name] = "must be a whole number from 0 to 100"
    for name in ("created_from", "created_to"):
        if args.get(name, "") != "" and parse_day(args.get(name)) is None:
            errors[name] = "must be a day as YYYY-MM-DD"
    if args.get("owner", "") != "" and _owner(args.get("owner")) is None:
        errors["owner"] = "must be me, unassigned, any or a user"
    if args.get("list", "") != "" and _uuid_text(args.get("list")) is None:
        errors["list"] = "must be a list of this workspace"
    return errors


def _int(value, low: int, high: int) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def _typed(value: str | None) -> str:
    """What was typed, trimmed; NUL characters dropped (no lead can hold one)."""
    return (value or "").replace("\x00", "").strip()


def _owner(value) -> str | None:
    if value in ("me", "unassigned", "any"):
        return value
    return _uuid_text(value)


def _uuid_text(value) -> str | None:
    if value in (None, ""):
        return None
    try:
        return str(uuid.UUID(str(value)))
    except (TypeError, ValueError):
        return None


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@cache  # an immutable expression: built once, not on every search
def search_text():
    """One lower-cased text of the searchable fields; PostgreSQL has a trigram index on it."""
    parts = (
        Lead.full_name,
        Lead.first_name,
        Lead.last_name,
        Lead.email_normalized,
        Lead.company_name,
        Lead.phone,
    )
    # Literal constants, not bound parameters: the planner must see the exact
    # expression of the index (migrations/versions/0003_search.py).
    empty, space = literal_column("''"), literal_column("' '")
    joined = func.coalesce(parts[0], empty)
    for part in parts[1:]:
        joined = joined.op("||")(space).op("||")(func.coalesce(part, empty))
    return func.lower(joined)


def _search_condition(q: str):
    text = search_text()
    conditions = [text.like(_like_pattern(q), escape="\\")]
    digits = "".join(ch for ch in q if ch.isdigit())
    if len(digits) >= 4 and digits != q:  # "(415) 555" finds +1415555…
        conditions.append(text.like(f"%{digits}%"))
    return or_(*conditions)


SAVED_THRESHOLD = "leadkeeper_prepare_threshold"  # in the pooled connection's info


@event.listens_for(Pool, "checkin")
def _prepare_again(dbapi_connection, record) -> None:
    if SAVED_THRESHOLD in record.info:
        threshold = record.info.pop(SAVED_THRESHOLD)
        if dbapi_connection is not None:
            dbapi_connection.prepare_threshold = threshold


def matching_leads(
    session: Session,
    columns: tuple,
    lead_filter: LeadFilter,
    workspace_id: uuid.UUID,
    current_user_id: uuid.UUID | None,
    timezone: str = "UTC",
) -> Select:
    """A select of `columns` over the filter's leads, for running on this session."""
    plan_for_values(session)
    return apply_filter(select(*columns), lead_filter, workspace_id, current_user_id, timezone)


def plan_for_values(session: Session) -> None:
    """Until the connection goes back to the pool, nothing is a prepared statement.

    On PostgreSQL a search is then planned for the pattern at hand: a prepared (generic)
    plan for LIKE '%…%' can be many times slower (bench/leads_page.py shows it). The
    driver prepares again once the connection is back in the pool. Only for filtered
    reads: a custom plan for every statement, foreign-key checks included, would cost
    each insert a re-plan.
    """
    if session.get_bind().dialect.name == "postgresql":
        pooled = session.connection().connection
        pooled.info.setdefault(SAVED_THRESHOLD, pooled.driver_connection.prepare_threshold)
        pooled.driver_connection.prepare_threshold = None


def apply_filter(
    query: Select,
    lead_filter: LeadFilter,
    workspace_id: uuid.UUID,
    current_user_id: uuid.UUID | None,
    timezone: str = "UTC",
) -> Select:
    """Restrict a select of Lead to one workspace and the filter's conditions."""
    return query.where(
        and_(*filter_conditions(lead_filter, workspace_id, current_user_id, timezone))
    )


def filter_conditions(
    lead_filter: LeadFilter,
    workspace_id: uuid.UUID,
    current_user_id: uuid.UUID | None,
    timezone: str = "UTC",
) -> list:
    """The workspace and the filter's conditions on Lead, to AND together."""
    f = lead_filter
    conditions = [Lead.workspace_id == workspace_id]
    if f.statuses:
        conditions.append(Lead.status.in_(f.statuses))
    if f.type:
        conditions.append(Lead.type == f.type)
    if f.sources:
        conditions.append(Lead.source.in_(f.sources))
    if f.intents:
        conditions.append(Lead.intent.in_(f.intents))
    if f.owner == "unassigned":
        conditions.append(Lead.assigned_to_id.is_(None))
    elif f.owner == "me":
        conditions.append(Lead.assigned_to_id == current_user_id if current_user_id else false())
    elif f.owner and f.owner != "any":
        conditions.append(Lead.assigned_to_id == uuid.UUID(f.owner))
    if f.score_min is not None:
        conditions.append(Lead.lead_score >= f.score_min)
    if f.score_max is not None:
        conditions.append(Lead.lead_score <= f.score_max)
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    if f.created_from:
        conditions.append(Lead.created_at >= day_start(f.created_from, zone))
    if f.created_to:
        conditions.append(Lead.created_at < day_end(f.created_to, zone))
    if f.tag:
        tagged = (
            select(lead_tags.c.lead_id)
            .join(Tag, Tag.id == lead_tags.c.tag_id)
            .where(Tag.workspace_id == workspace_id, Tag.name == f.tag)
        )
        conditions.append(Lead.id.in_(tagged))
    if f.q:
        conditions.append(_search_condition(f.q))
    if f.list_id:
        # Imported here: membership builds dynamic lists from this module's filter.
        from webapp.services.lists.membership import list_condition

        in_list = list_condition(f.list_id, workspace_id, timezone)
        if in_list is not None:  # another workspace's (or no) list: no filter at all
            conditions.append(in_list)
    return conditions


def apply_sort(query: Select, lead_filter: LeadFilter) -> Select:
    if lead_filter.sort == "owner":
        query = query.outerjoin(User, User.id == Lead.assigned_to_id)
    return query.order_by(*sort_order(lead_filter, User))


def owner_shown(owner):
    """The owner a row shows (name, else e-mail address), lower-cased for sorting."""
    return func.lower(func.coalesce(func.nullif(owner.name, _EMPTY), owner.email))


def sort_order(lead_filter: LeadFilter, owner) -> tuple:
    """ORDER BY of the filter's sort; `owner` is the User entity (or alias) joined as owner."""
    if lead_filter.sort == "owner":
        # Unassigned last going up and first going down on both databases (PostgreSQL's
        # NULL placement); each owner's leads newest first (lead_pages.owner_sorted_rows).
        shown = owner_shown(owner)
        newest = (Lead.created_at.desc(), Lead.id.desc())
        if lead_filter.direction == "asc":
            return shown.asc().nulls_last(), owner.id.asc(), *newest
        return shown.desc().nulls_first(), owner.id.desc(), *newest
    column = SORTS[lead_filter.sort]
    # Blanks last going up and first going down on both databases: PostgreSQL's default
    # NULL placement, so the (workspace, column, id) indexes serve both directions there.
    if lead_filter.direction == "asc":
        return column.asc().nulls_last(), Lead.id.asc()
    return column.desc().nulls_first(), Lead.id.desc()
