"""Seed 001's intent rule at its boundaries, and a score that never contradicts it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from webapp.services.pipeline.scoring import BANDS, intent_for, score_in_band

TABLE = {
    "Company researching topic": "high",
    "Visited competitor website": "high",
    "Downloaded whitepaper": "medium",
    "Attended webinar": "medium",
    "Social media engagement": "low",
    "Job posting related to topic": "medium",
}


def signals(high: int, medium: int, low: int) -> list[dict]:
    return (
        [{"signal_type": f"h{i}", "signal_strength": "high"} for i in range(high)]
        + [{"signal_type": f"m{i}", "signal_strength": "medium"} for i in range(medium)]
        + [{"signal_type": f"l{i}", "signal_strength": "low"} for i in range(low)]
    )


def seed_rule(high: int, medium: int) -> str:
    if high >= 3 or (high >= 2 and medium >= 3):
        return "hot"
    if high >= 1 or medium >= 4:
        return "warm"
    return "cold"


counts = st.integers(min_value=0, max_value=8)


@given(counts, counts, counts)
def test_the_intent_is_the_seed_rule_and_the_score_lies_in_its_band(high, medium, low):
    result = intent_for(signals(high, medium, low), {})
    assert result.intent == seed_rule(high, medium)
    lo, hi = BANDS[result.intent]
    assert lo <= result.score <= hi
    assert result.explanation.startswith(f"{result.intent}:")


@given(counts, counts, counts, st.sampled_from(["high", "medium", "low"]))
def test_one_more_signal_never_lowers_the_intent_or_the_score(high, medium, low, extra):
    order = {"cold": 0, "warm": 1, "hot": 2}
    before = intent_for(signals(high, medium, low), {})
    more = signals(high, medium, low) + [{"signal_type": "x", "signal_strength": extra}]
    after = intent_for(more, {})
    assert order[after.intent] >= order[before.intent]
    assert after.score >= before.score


@given(counts, counts, counts, counts, counts, counts)
def test_a_hotter_intent_always_has_the_higher_score(h1, m1, l1, h2, m2, l2):
    order = {"cold": 0, "warm": 1, "hot": 2}
    a, b = intent_for(signals(h1, m1, l1), {}), intent_for(signals(h2, m2, l2), {})
    if order[a.intent] > order[b.intent]:
        assert a.score > b.score


def test_the_boundaries_exactly():
    cases = {
        (3, 0): "hot",
        (2, 3): "hot",
        (2, 2): "warm",
        (1, 0): "warm",
        (0, 4): "warm",
        (0, 3): "cold",
        (0, 0): "cold",
    }
    for (high, medium), intent in cases.items():
        assert intent_for(signals(high, medium, 5), {}).intent == intent, (high, medium)


def test_the_workspace_table_sets_the_strength_and_unknown_types_keep_the_providers():
    found = [
        # The provider calls these low; the table says high (matched ignoring case/spaces).
        {"signal_type": "company  researching TOPIC", "signal_strength": "low"},
        {"signal_type": "Visited competitor website", "signal_strength": "low"},
        {"signal_type": "Something new", "signal_strength": "high"},
    ]
    result = intent_for(found, TABLE)
    assert (result.intent, result.high, result.low) == ("hot", 3, 0)
    assert result.explanation.startswith("hot: 3 high signals — company")
    assert "visited competitor website" in result.explanation


def test_the_explanation_names_counts_and_types():
    result = intent_for(
        [
            {"signal_type": "Downloaded whitepaper", "signal_strength": "x"},
            {"signal_type": "Company researching topic"},
        ],
        TABLE,
    )
    assert result.intent == "warm"
    assert result.explanation == (
        "warm: 1 high, 1 medium signals — company researching topic, downloaded whitepaper"
    )
    assert intent_for([], TABLE).explanation == "cold: no intent signals"


@given(st.sampled_from(["hot", "warm", "cold"]), st.integers(min_value=0, max_value=100))
def test_an_overridden_score_moves_into_the_chosen_band(intent, score):
    lo, hi = BANDS[intent]
    moved = score_in_band(intent, score)
    assert lo <= moved <= hi
    if lo <= score <= hi:
        assert moved == score
