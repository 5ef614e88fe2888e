"""A saved filter refuses the values that browsing My Leads quietly drops."""

import pytest

from webapp.services.leads.filters import LeadFilter, invalid_criteria


@pytest.mark.parametrize(
    "args,field",
    [
        ({"status": "bogus"}, "status"),
        ({"type": "alien"}, "type"),
        ({"source": "billboard"}, "source"),
        ({"intent": "lukewarm"}, "intent"),
        ({"score_min": "abc"}, "score_min"),
        ({"score_max": "101"}, "score_max"),
        ({"created_from": "2026-13-01"}, "created_from"),
        ({"created_to": "yesterday"}, "created_to"),
        ({"owner": "somebody"}, "owner"),
        ({"list": "not-a-uuid"}, "list"),
    ],
)
def test_each_dropped_value_is_named_by_its_field(args, field):
    assert list(invalid_criteria(args)) == [field]
    assert field not in LeadFilter.from_args(args).criteria()  # what browsing does with it


def test_valid_and_empty_values_are_no_error():
    args = {
        "status": ["new", "contacted"],
        "score_min": "10",
        "score_max": "",
        "created_from": "2026-01-31",
        "owner": "me",
        "tag": "anything typed",
        "q": "ann",
    }
    assert invalid_criteria(args) == {}
