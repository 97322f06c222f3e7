"""Helpdesk ticket insights → Odoo: ``helpdesk.ticket.ai_apply_ticket_insights``, then the
customers' ticket moods through ``res.partner.ai_apply_insights``; each batch all-or-nothing."""

from __future__ import annotations

import time

from ai_engine.helpdesk.job import HelpdeskResult
from ai_engine.odoo_client import DEFAULT_BATCH_SIZE, OdooClient, batches


def apply_ticket_insights(client: OdooClient, company_id: int, ticket_rows: list[dict],
                          customer_rows: list[dict], batch_size: int = 500) -> int:
    """Ticket insights, then customers' ticket moods; each batch all-or-nothing. Returns the
    number of tickets written."""
    written = 0
    for batch in batches(ticket_rows, batch_size):
        written += client.call("helpdesk.ticket", "ai_apply_ticket_insights", company_id,
                               batch)["updated"]
    for batch in batches(customer_rows, DEFAULT_BATCH_SIZE):
        client.call("res.partner", "ai_apply_insights", company_id, batch)
    return written


def write(client: OdooClient, company_id: int, result: HelpdeskResult, log) -> int:
    """The run's ticket insights and ticket moods; returns the tickets written."""
    if not result.metrics["n_tickets"]:  # a desk without tickets: nothing analysed
        return 0
    started = time.perf_counter()
    written = apply_ticket_insights(client, company_id, result.ticket_rows,
                                    result.customer_rows)
    log(f"Wrote {written} tickets and {len(result.customer_rows)} customers' ticket moods in "
        f"{time.perf_counter() - started:.1f}s")
    return written
