"""Helpdesk ticket insights → Odoo: ``helpdesk.ticket.ai_write``, each batch all or nothing
(a ticket's insights follow the ticket; the customers' ticket moods are computed by Odoo)."""

from __future__ import annotations

import time

from ai_engine import model_cache
from ai_engine.helpdesk.job import HelpdeskResult
from ai_engine.odoo_client import OdooClient
from ai_engine.odoo_rows import WRITE_STREAMS, write_rows

# The ticket fields the run fills, without their ai_ prefix.
TICKET_KEYS = ["id", "sentiment", "sentiment_score", "language", "sentiment_sentence",
               "escalate", "category_id", "category_confidence", "topic", "similar_ticket_ids",
               "reply", "reply_source_id"]
BATCH_SIZE = 500  # ticket rows carry texts


def write(client: OdooClient, run_id: int, result: HelpdeskResult, log) -> int:
    """The run's ticket insights; returns the tickets written."""
    if not result.metrics["n_tickets"]:  # a desk without tickets: nothing analysed
        return 0
    started = time.perf_counter()
    counts = write_rows(client, "helpdesk.ticket", run_id, result.ticket_rows, BATCH_SIZE,
                        streams=WRITE_STREAMS)
    log(f"Wrote {counts.get('updated', 0)} tickets in {time.perf_counter() - started:.1f}s")
    model_cache.keep(result.save_models_to, result.models, log)
    return counts.get("updated", 0)
