"""The columns of each data table (templates/_data_table.html), in their default order.

A user may hide, show and reorder them (the column picker); services/preferences
keeps the choice. A new table (list members, jobs, imports…) adds its list here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort: str | None = None  # the filter's sort key, when the column sorts
    first: str = "asc"  # the first direction a click sorts by (numbers and dates: desc)
    width: str = "md"  # .col-<width> in app.css: xs 104px, sm 112, md 125, lg 170
    required: bool = False  # always shown (the row's link)
    default: bool = True  # shown until the user chooses otherwise


LEAD_COLUMNS: tuple[Column, ...] = (
    Column("name", "Name", sort="name", width="lg", required=True),
    Column("company", "Company", sort="company", width="md"),
    Column("email", "Email", sort="email", width="lg"),
    Column("status", "Status", sort="status", width="sm"),
    Column("intent", "Intent / score", sort="score", first="desc", width="sm"),
    Column("owner", "Owner", sort="owner", width="md"),
    Column("source", "Source", sort="source", width="sm", default=False),
    Column("tags", "Tags", width="md"),
    Column("created", "Created", sort="created", first="desc", width="xs"),
)

# A list's members (templates/lists/show.html); "added", "added_by" and "note" are the
# membership's (empty on a dynamic list, whose members are computed).
MEMBER_COLUMNS: tuple[Column, ...] = (
    Column("name", "Name", sort="name", width="lg", required=True),
    Column("company", "Company", sort="company", width="md"),
    Column("email", "Email", sort="email", width="lg"),
    Column("status", "Status", sort="status", width="sm"),
    Column("intent", "Intent / score", sort="score", first="desc", width="sm", default=False),
    Column("owner", "Owner", sort="owner", width="md"),
    Column("added", "Added", sort="added", first="desc", width="xs"),
    Column("added_by", "Added by", width="md"),
    Column("note", "Note", width="lg"),
    Column("created", "Created", sort="created", first="desc", width="xs", default=False),
)

TABLES: dict[str, tuple[Column, ...]] = {"leads": LEAD_COLUMNS, "list_members": MEMBER_COLUMNS}
