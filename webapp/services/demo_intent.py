"""Intent signals for the demo's discovered leads, scored like real ones.

A demo lead with source "discovery" stands for a company the pipeline found, so it needs
what discovery would have stored: signals, and the intent, score and explanation that
`intent_for` (webapp.services.pipeline.scoring) makes of them with the workspace's
signal table. Each lead gets a set of signals chosen to fit its demo intent (an unrated
one gets an intent first); the stored intent is then the scored one, so the lead page's
explanation and the intent always agree.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Lead
from webapp.services.pipeline.discovery import intent_data_for
from webapp.services.pipeline.scoring import STRENGTHS, intent_for
from webapp.services.pipeline.signals import signal_types

SOURCES = ("DataShopper", "G2", "Bombora")
# (high, medium, low) counts that land in each intent under seed 001's rule.
RECIPES = {
    "hot": ((3, 0, 0), (3, 1, 1), (4, 2, 0), (2, 3, 0), (2, 4, 1)),
    "warm": ((1, 0, 0), (1, 2, 1), (1, 3, 0), (0, 4, 0), (0, 5, 1)),
    "cold": ((0, 1, 0), (0, 2, 1), (0, 3, 2), (0, 0, 1), (0, 1, 2)),
}
UNRATED_BECOMES = {"hot": 2, "warm": 3, "cold": 5}


def _iso(moment) -> str:
    return moment.replace(microsecond=0, tzinfo=None).isoformat() + "Z"  # stored in UTC


def _signals(rng: random.Random, intent: str, types: dict[str, list[str]], before) -> list[dict]:
    counts = dict(zip(STRENGTHS, rng.choice(RECIPES[intent]), strict=True))
    signals = []
    for strength, count in counts.items():
        for _ in range(count if types[strength] else 0):
            seen = before - timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 23))
            signals.append(
                {
                    "signal_type": rng.choice(types[strength]),
                    "signal_strength": strength,
                    "detected_at": _iso(seen),
                    "source": rng.choice(SOURCES),
                }
            )
    return sorted(signals, key=lambda s: s["detected_at"], reverse=True)


def explain_discovered_leads(session: Session, workspace_id: uuid.UUID, rng: random.Random) -> int:
    """Give the workspace's discovered leads without signals some, scored; how many."""
    table = signal_types(session, workspace_id)
    strengths = {row.signal_key: row.strength for row in table}
    types = {s: [row.signal_type for row in table if row.strength == s] for s in STRENGTHS}
    leads = session.scalars(
        select(Lead)
        .where(Lead.workspace_id == workspace_id, Lead.source == "discovery")
        .order_by(Lead.created_at, Lead.id)
    )
    done = 0
    for lead in leads:
        if (lead.intent_data or {}).get("signals") or (lead.intent_data or {}).get("override"):
            continue
        wanted = lead.intent
        if wanted not in RECIPES:  # unrated: pick what discovery would have found
            wanted = rng.choices(list(UNRATED_BECOMES), list(UNRATED_BECOMES.values()))[0]
        signals = _signals(rng, wanted, types, lead.created_at)
        intent = intent_for(signals, strengths)  # what discovery stores for a company
        lead.intent, lead.lead_score = intent.intent, intent.score
        lead.intent_explanation = intent.explanation
        lead.intent_data = intent_data_for(intent)
        done += 1
    session.flush()
    return done
