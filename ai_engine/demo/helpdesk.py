"""The demo's helpdesk: generated tickets for the demo's customers, analysed like a real desk.

A year of tickets in five languages (``synthetic_tickets``); the older 80 % are the desk's
history (solved, answered, filed under a category), the newest 20 % are open. The same
``ticket_insights`` as a run against Odoo then gives each ticket its sentiment, suggested
category and escalation flag, using the contact insights just computed for the customers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ai_engine.datasets.synthetic_tickets import as_desk, generate_tickets
from ai_engine.helpdesk.job import ticket_insights
from ai_engine.helpdesk.load import TICKET_KEYS
from ai_engine.text.sentiment import SentimentScorer

HISTORY_SHARE = 0.8
TICKET_COLUMNS = ["ticket_id", "customer_id", "segment", "created", "state", "language",
                  "subject", "description", "sentiment", "sentiment_score", "sentiment_sentence",
                  "escalate", "suggested_category", "category_confidence", "filed_category",
                  "generated_mood"]


def demo_desk(scores: pd.DataFrame, as_of, n_tickets: int, seed: int = 0
              ) -> tuple[pd.DataFrame, dict]:
    """(one row per ticket, TICKET_COLUMNS; the run's metrics) for ``n_tickets`` generated
    tickets of the scored customers over the year before ``as_of``."""
    as_of = pd.Timestamp(as_of)
    generated = generate_tickets(n_tickets, customer_ids=scores["customer_id"].tolist(),
                                 start=str((as_of - pd.Timedelta(days=365)).date()),
                                 end=str(as_of.date()), seed=seed)
    cut = int(len(generated) * HISTORY_SHARE)
    tickets, messages = as_desk(generated, cut)
    standing = (scores.set_index("customer_id")[["segment_code", "churn_risk"]]
                .assign(excluded=False))
    result = ticket_insights(tickets, messages, standing, SentimentScorer(), since=None)
    names = dict(enumerate(sorted(generated["recorded_category"].unique())))
    history = tickets["solved"].to_numpy()  # as_desk's history: solved and filed
    # What the analysis found replaces what the generator meant (language as detected, the
    # reply suggested rather than the generated answer); a desk too small to analyse has none.
    found = pd.DataFrame(result.ticket_rows, columns=["id", *TICKET_KEYS[1:]]).set_index("id")
    table = generated.drop(columns=[c for c in found.columns if c in generated.columns]).join(
        found, on="ticket_id")
    table = table.assign(
        segment=table["customer_id"].map(scores.set_index("customer_id")["segment"]),
        state=np.where(history, "solved", "open"),
        suggested_category=table["category_id"].map(names),
        filed_category=table["recorded_category"].where(history),
        generated_mood=table["mood"])
    return table[TICKET_COLUMNS], result.metrics
