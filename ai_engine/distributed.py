"""Contact insights and product suggestions on a Dask cluster, for a company too large for one
machine (the optional extra ``pip install 'ai_engine[distributed]'``; docs/ARCHITECTURE.md,
"Scale").

The models are fitted once, centrally (``score_customers`` as in one process); the per-customer
scoring — churn probability and reasons, value, range and next order, the costly part — runs on
the cluster's workers in partitions of whole customers. A customer's partition is chosen by the
same hash as its bucket of random draws (``models.value.draw_buckets``), so the result is the
one process's, row for row. Value bands, which rank the whole company, are cut centrally after.
Suggestions: the fitted model's lists (``SuggestionModel.recommend_kinds``, per customer) are
made in partitions of customers on the workers (``recommend_partitioned``).
"""

from __future__ import annotations

import pandas as pd

from ai_engine.insights.job import ScoringResult, score_customers
from ai_engine.insights.scoring import CustomerScorer
from ai_engine.models.suggestion_model import SuggestionModel
from ai_engine.models.value import draw_buckets


def _score(part: pd.DataFrame, scorer: CustomerScorer) -> pd.DataFrame:
    return scorer.score(part)


def _partition_count(client, partitions: int | None) -> int:
    """``partitions``, checked; None: two per worker of ``client``'s cluster."""
    if partitions is None:
        partitions = 2 * max(len(client.scheduler_info().get("workers", {})), 1)
    if partitions < 1:
        raise ValueError("partitions must be at least 1")
    return partitions


def score_partitions(client, partitions: int):
    """A ``score_parts`` for ``score_customers``: the customers' summary cut into up to
    ``partitions`` parts of whole draw buckets, each scored on ``client``'s cluster (a
    ``distributed.Client``), the fitted scorer sent to every worker once."""
    partitions = _partition_count(client, partitions)

    def score_parts(scorer: CustomerScorer, summary: pd.DataFrame) -> pd.DataFrame:
        part_of = draw_buckets(summary.index) % partitions
        parts = [summary[part_of == k] for k in range(partitions) if (part_of == k).any()]
        if not parts:
            return scorer.score(summary)
        shared = client.scatter(scorer, broadcast=True)
        futures = client.map(_score, parts, scorer=shared)
        return pd.concat(client.gather(futures))

    return score_parts


def score_customers_distributed(tx: pd.DataFrame, client, partitions: int | None = None,
                                **kwargs) -> ScoringResult:
    """``score_customers(tx, **kwargs)`` with the per-customer scoring on ``client``'s cluster,
    in ``partitions`` parts (default: two per worker)."""
    return score_customers(tx, score_parts=score_partitions(
        client, _partition_count(client, partitions)), **kwargs)


def _recommend(customers: list, model: SuggestionModel, top: int, kinds: tuple) -> dict:
    return model.recommend_kinds(customers, top=top, kinds=kinds)


def recommend_partitioned(model: SuggestionModel, client, customer_ids=None, top: int = 10,
                          kinds=("all", "repeat", "new"), partitions: int | None = None
                          ) -> dict[str, pd.DataFrame]:
    """``model.recommend_kinds(customer_ids, top=top, kinds=kinds)`` with the customers cut into
    ``partitions`` parts (default: two per worker) scored on ``client``'s cluster, the fitted
    model sent to every worker once; customers in the order asked, as in one process."""
    customers = list(model.customers_ if customer_ids is None else customer_ids)
    partitions = _partition_count(client, partitions)
    size = -(-len(customers) // partitions) or 1
    parts = [customers[start:start + size] for start in range(0, len(customers), size)]
    shared = client.scatter(model, broadcast=True)
    answers = client.gather(client.map(_recommend, parts, model=shared, top=top,
                                       kinds=tuple(kinds)))
    return {kind: pd.concat([answer[kind] for answer in answers], ignore_index=True)
            for kind in kinds} if answers else model.recommend_kinds([], top=top, kinds=kinds)
