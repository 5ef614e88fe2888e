"""Intent scoring: seed 001's hot/warm/cold rule, a 0–100 score that agrees with it, and why.

The rule (docs/contracts.md#intent-scoring), on the signals' strengths:

- hot: at least 3 high signals, or at least 2 high and at least 3 medium;
- warm: at least 1 high, or at least 4 medium;
- cold: everything else (no signals at all is cold too).

A signal's strength comes from the workspace's signal-type table (Pipeline → Signals);
a type the table does not know keeps the strength the provider gave it.

The score is derived from the intent, so it can never contradict it ("hot · 10"):
each intent owns a band — hot 70–100, warm 40–69, cold 0–39 — and a lead's place in
its band grows with its signals' weight, `points` = 10 a high + 5 a medium + 2 a low:

- hot: 70 + (points − 30), at most 100 (3 high = 70; 2 high + 3 medium = 75);
- warm: 40 + (points − 10), at most 69 (1 high = 40; 4 medium = 50);
- cold: points, at most 39 (no signals = 0).

More signals never lower a score within an intent, and every hot score is above every
warm score, every warm above every cold. An override (services/pipeline/override.py)
moves the score into the chosen intent's band with `score_in_band`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

STRENGTHS = ("high", "medium", "low")
POINTS = {"high": 10, "medium": 5, "low": 2}
BANDS = {"hot": (70, 100), "warm": (40, 69), "cold": (0, 39)}
# The points each band's score counts from (the least a lead of that intent can have).
BAND_BASE = {"hot": 30, "warm": 10, "cold": 0}
NAMES_SHOWN = 4  # signal types named in an explanation before "…"


def signal_key(signal_type) -> str:
    """How signal types are matched: lower case, spaces squeezed."""
    return " ".join(str(signal_type or "").lower().split())


@dataclass(frozen=True)
class Intent:
    """What `intent_for` decided: the intent, its score, why, and the signals as weighed."""

    intent: str  # hot | warm | cold
    score: int  # 0–100, inside the intent's band
    explanation: str
    high: int = 0
    medium: int = 0
    low: int = 0
    signals: list[dict] = field(default_factory=list)  # each with the strength used


def strength_of(signal: Mapping, strengths: Mapping[str, str]) -> str | None:
    """The table's strength for the signal's type, else the provider's (None if neither)."""
    known = strengths.get(signal_key(signal.get("signal_type")))
    if known in STRENGTHS:
        return known
    given = str(signal.get("signal_strength") or "").strip().lower()
    return given if given in STRENGTHS else None


def classify(high: int, medium: int) -> str:
    """Seed 001's rule, exactly."""
    if high >= 3 or (high >= 2 and medium >= 3):
        return "hot"
    if high >= 1 or medium >= 4:
        return "warm"
    return "cold"


def score_for(intent: str, high: int, medium: int, low: int) -> int:
    lo, hi = BANDS[intent]
    points = POINTS["high"] * high + POINTS["medium"] * medium + POINTS["low"] * low
    return max(lo, min(hi, lo + points - BAND_BASE[intent]))


def score_in_band(intent: str, score: int | None) -> int:
    """The score nearest to `score` that agrees with `intent` (its band's edge if outside)."""
    lo, hi = BANDS[intent]
    return max(lo, min(hi, score if score is not None else lo))


def intent_for(signals: Iterable[Mapping] | None, strengths: Mapping[str, str]) -> Intent:
    """Score a company's intent signals with the workspace's strengths (see the module)."""
    table = {signal_key(k): v for k, v in (strengths or {}).items()}
    weighed = []
    for signal in signals or ():
        if not isinstance(signal, Mapping):
            continue
        strength = strength_of(signal, table)
        weighed.append({**signal, "signal_strength": strength})
    counts = {s: sum(1 for w in weighed if w["signal_strength"] == s) for s in STRENGTHS}
    intent = classify(counts["high"], counts["medium"])
    score = score_for(intent, counts["high"], counts["medium"], counts["low"])
    return Intent(
        intent=intent,
        score=score,
        explanation=explain(intent, weighed, counts),
        high=counts["high"],
        medium=counts["medium"],
        low=counts["low"],
        signals=weighed,
    )


def explain(intent: str, weighed: list[dict], counts: Mapping[str, int]) -> str:
    """ "hot: 3 high, 1 medium signals — researching topic, visited competitor, …"."""
    parts = [f"{counts[s]} {s}" for s in STRENGTHS if counts.get(s)]
    if not parts:
        return f"{intent}: no intent signals"
    total = sum(counts.values())
    counted = ", ".join(parts) + (" signal" if total == 1 else " signals")
    order = {s: i for i, s in enumerate(STRENGTHS)}
    names: list[str] = []
    for signal in sorted(weighed, key=lambda w: order.get(w["signal_strength"], 3)):
        name = " ".join(str(signal.get("signal_type") or "").split())
        if name and name.lower() not in (n.lower() for n in names):
            names.append(name)
    shown = ", ".join(n[:1].lower() + n[1:] for n in names[:NAMES_SHOWN])
    if len(names) > NAMES_SHOWN:
        shown += ", …"
    return f"{intent}: {counted}" + (f" — {shown}" if shown else "")
