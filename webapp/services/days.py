"""Date filters of whole local days: typed days, and the instants they start and end at."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

# A day's local start may lie up to a day from UTC. Days at the calendar's very edges
# would overflow Python's datetime on the way; nothing is stored there, so a day typed
# beyond these (9999-12-31, say) means the same as the edge.
FIRST_DAY = date(1, 1, 2)
LAST_DAY = date(9999, 12, 30)


def parse_day(value) -> date | None:
    """A YYYY-MM-DD day, kept within FIRST_DAY..LAST_DAY; None if it isn't one."""
    try:
        day = date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return None
    return min(max(day, FIRST_DAY), LAST_DAY)


def day_start(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def day_end(day: date, zone: tzinfo) -> datetime:
    """The start of the next day: a range ends before it."""
    return day_start(day + timedelta(days=1), zone)
