"""Date filters of whole local days: typed days, and the instants they start and end at."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

# A day's local start may lie up to a day from UTC. Days at the calendar's very edges
# would overflow Python's datetime on the way; nothing is stored there, so a range
# reaching past these (to 9999-12-31, say) is bounded by them instead.
FIRST_DAY = date(1, 1, 2)
LAST_DAY = date(9999, 12, 30)


def parse_day(value) -> date | None:
    """A YYYY-MM-DD day as typed; None if it isn't one."""
    try:
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return None


def day_start(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(min(max(day, FIRST_DAY), LAST_DAY), time.min, tzinfo=zone)


def day_end(day: date, zone: tzinfo) -> datetime:
    """The start of the next day: a range ends before it."""
    return datetime.combine(min(day, LAST_DAY) + timedelta(days=1), time.min, tzinfo=zone)
