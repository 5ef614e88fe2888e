"""Previous/next around a lead follow My Leads' own order, for every sort and direction."""

from datetime import UTC, datetime, timedelta

import pytest

from webapp.services.leads.filters import SORTS, LeadFilter
from webapp.services.leads.my_leads import page_of_leads
from webapp.services.leads.neighbours import neighbours, view_filter


@pytest.fixture()
def desk(db, factory):
    workspace = factory.workspace()
    ann = factory.user(workspace, name="Ann")
    bob = factory.user(workspace, name="Bob")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    specs = [
        # name, company, email, status, score, owner
        ("Zed", "Acme", "zed@a.io", "new", 10, ann),
        ("Amy", None, "amy@b.io", "qualified", 50, None),
        ("Cal", "Beta", None, "qualified", 50, bob),
        ("Dee", None, "dee@d.io", "new", 90, ann),
        ("Eve", "Acme", "eve@e.io", "contacted", 10, None),
        ("Fay", "", "fay@f.io", "qualified", 0, bob),
        ("Gus", "Gamma", "gus@g.io", "qualified", 70, ann),
    ]
    leads = []
    for i, (name, company, email, status, score, owner) in enumerate(specs):
        fields = {"full_name": name, "first_name": None, "last_name": None}
        fields.update(company_name=company, email=email, status=status, lead_score=score)
        lead = factory.lead(workspace, **fields)
        lead.created_at = start + timedelta(hours=i % 4)  # ties on created: id decides
        lead.assigned_to_id = owner.id if owner else None
        leads.append(lead)
    db.session.commit()
    return workspace, ann, leads


def _listed(db, workspace, user, lead_filter):
    lead_filter.per_page = 100
    return [r.id for r in page_of_leads(db.session, lead_filter, workspace.id, user.id).leads]


@pytest.mark.parametrize("sort", sorted(SORTS))
@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize("criteria", ["", "status=qualified"])
def test_neighbours_match_the_list_order(db, desk, sort, direction, criteria):
    workspace, user, leads = desk
    query = f"{criteria}&sort={sort}&direction={direction}"
    listed = _listed(db, workspace, user, view_filter(query))
    assert listed  # the filter keeps some leads
    for position, lead_id in enumerate(listed):
        lead = next(lead for lead in leads if lead.id == lead_id)
        lead_filter = view_filter(query + "&per_page=25")
        found = neighbours(db.session, lead, lead_filter, user.id)
        expected_previous = listed[position - 1] if position else None
        expected_next = listed[position + 1] if position + 1 < len(listed) else None
        assert (found.previous_id, found.next_id) == (expected_previous, expected_next), (
            sort,
            direction,
            position,
        )
        assert found.page == 1


def test_the_page_is_where_the_lead_sits(db, factory):
    workspace = factory.workspace()
    user = factory.user(workspace)
    for i in range(30):
        factory.lead(workspace, full_name=f"Lead {i:02d}")
    lead_filter = LeadFilter.from_args({"sort": "name", "direction": "asc"})
    listed = _listed(db, workspace, user, lead_filter)
    lead_filter.per_page = 25
    from webapp.models import Lead

    for position in (0, 24, 25, 29):
        lead = db.session.get(Lead, listed[position])
        assert neighbours(db.session, lead, lead_filter, user.id).page == position // 25 + 1


def test_a_lead_outside_the_filter_still_finds_its_place(db, desk):
    workspace, user, leads = desk
    zed = leads[0]  # "new": not among the qualified
    lead_filter = view_filter("status=qualified&sort=name&direction=asc")
    listed = _listed(db, workspace, user, view_filter("status=qualified&sort=name&direction=asc"))
    found = neighbours(db.session, zed, lead_filter, user.id)
    assert found.previous_id == listed[-1] and found.next_id is None
