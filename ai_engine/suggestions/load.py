"""Product suggestions → Odoo: ``ai.product.affinity.ai_replace_affinities`` and
``ai.customer.suggestion.ai_replace_suggestions``, whole groups per call."""

from __future__ import annotations

import time

import pandas as pd

from ai_engine.odoo_client import DEFAULT_BATCH_SIZE, OdooClient, json_value
from ai_engine.suggestions.job import SuggestionsResult

AFFINITY_KEYS = ["product_id", "related_product_id", "rank", "score", "customers_both",
                 "confidence", "lift"]
SUGGESTION_KEYS = ["partner_id", "product_id", "rank", "score", "reason", "source"]


def _records(frame: pd.DataFrame, keys: list[str]) -> list[dict]:
    return [{k: json_value(v) for k, v in rec.items()} for rec in frame[keys].to_dict("records")]


def replace_grouped(client: OdooClient, model: str, method: str, company_id: int,
                    frame: pd.DataFrame, key: str, keys: list[str],
                    batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Replace the rows of ``frame`` group by group of ``key`` values, about ``batch_size`` rows
    per call: each call swaps whole groups in one server transaction, so a reader never sees a
    customer (or product) with half of its new list."""
    written = 0
    groups = list(frame.groupby(key, sort=True, dropna=False))
    batch_keys, batch_rows = [], []
    for value, group in groups:
        batch_keys.append(json_value(value) if pd.notna(value) else False)
        batch_rows.extend(_records(group, keys))
        if len(batch_rows) >= batch_size:
            written += client.call(model, method, company_id, batch_keys, batch_rows)["written"]
            batch_keys, batch_rows = [], []
    if batch_keys:
        written += client.call(model, method, company_id, batch_keys, batch_rows)["written"]
    return written


def write(client: OdooClient, company_id: int, result: SuggestionsResult, log) -> int:
    """Store the run's affinities and lists; returns the customers given a list."""
    if result.suggestions is None:  # nothing learned
        return 0
    started = time.perf_counter()
    n_aff = replace_grouped(client, "ai.product.affinity", "ai_replace_affinities",
                            company_id, result.affinities, "product_id", AFFINITY_KEYS)
    n_sug = replace_grouped(client, "ai.customer.suggestion", "ai_replace_suggestions",
                            company_id, result.suggestions, "partner_id", SUGGESTION_KEYS)
    log(f"Wrote {n_aff} affinities and {n_sug} suggestions in "
        f"{time.perf_counter() - started:.1f}s")
    result.metrics.update(affinities=n_aff, suggestions=n_sug)
    return result.metrics["n_customers"]
