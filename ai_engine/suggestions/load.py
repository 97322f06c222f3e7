"""Product suggestions → Odoo: ``ai.product.affinity.ai_write`` and
``ai.customer.suggestion.ai_write``, staged for the run; Odoo replaces the company's previous
lists with them, all at once, when the run is reported done."""

from __future__ import annotations

import time

from ai_engine import model_cache
from ai_engine.odoo_client import OdooClient
from ai_engine.odoo_rows import WRITE_STREAMS, columns, write_frame, write_rows
from ai_engine.suggestions.job import SuggestionsResult

AFFINITY_KEYS = ["product_id", "related_product_id", "rank", "score", "customers_both",
                 "confidence", "lift"]
SUGGESTION_KEYS = ["partner_id", "product_id", "rank", "score", "reason", "source"]


def _odoo_reason(code: dict) -> dict:
    """Product ids are text inside the engine and ids in Odoo."""
    return {**code, "product": int(code["product"])} if "product" in code else code


def suggestion_columns(suggestions) -> dict[str, list]:
    frame = suggestions.assign(reason=suggestions["reason_code"].map(_odoo_reason))
    return columns(frame, SUGGESTION_KEYS)


def write(client: OdooClient, run_id: int, result: SuggestionsResult, log) -> int:
    """Stage the run's affinities and lists; returns the customers given a list."""
    if result.suggestions is None:  # nothing learned
        return 0
    started = time.perf_counter()
    affinities = write_rows(client, "ai.product.affinity", run_id,
                            columns(result.affinities, AFFINITY_KEYS))
    suggestions = write_frame(client, "ai.customer.suggestion", run_id, result.suggestions,
                              suggestion_columns, streams=WRITE_STREAMS)
    log(f"Wrote {affinities['written']} affinities and {suggestions['written']} suggestions in "
        f"{time.perf_counter() - started:.1f}s")
    result.metrics.update(affinities=affinities["written"], suggestions=suggestions["written"])
    model_cache.keep(result.save_backtest_to, result.backtest_state, log)
    return result.metrics["n_customers"]
