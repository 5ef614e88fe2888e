"""Page numbers: a page past the end shows the last one, never an empty page."""

from __future__ import annotations


def last_page(count: int, per_page: int) -> int:
    return max((count + per_page - 1) // per_page, 1)


def page_number(raw, count: int, per_page: int) -> int:
    """The page asked for (anything that is not a number: the first), within 1..last."""
    try:
        wanted = int(str(raw).strip())
    except (TypeError, ValueError):
        return 1
    return min(max(wanted, 1), last_page(count, per_page))
