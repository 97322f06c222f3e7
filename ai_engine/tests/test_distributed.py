"""Scoring on a Dask cluster gives, row for row, what one process gives (the ``distributed``
extra; ``make setup`` installs it)."""

import pandas as pd
import pytest

from ai_engine.datasets.synthetic import generate_history
from ai_engine.insights.job import score_customers

distributed = pytest.importorskip("distributed", reason="the 'distributed' extra is missing")

AS_OF = pd.Timestamp("2024-12-31")


def test_partitions_on_a_local_cluster_score_as_one_process():
    from ai_engine.distributed import score_customers_distributed

    tx = generate_history(n_customers=800, seed=1)
    alone = score_customers(tx, as_of=AS_OF)
    # Both learned models serve here: the churn model's level and the value model's random
    # draws are what could differ between partitions.
    assert set(alone.scores["churn_method"]) == {"model"}
    assert set(alone.scores["value_method"]) == {"model"}
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client, \
            distributed.get_task_stream(client) as stream:
        spread = score_customers_distributed(tx, client, partitions=4, as_of=AS_OF)
    pd.testing.assert_frame_equal(spread.scores, alone.scores)
    assert spread.metrics == alone.metrics
    # The customers were scored on the cluster, in four parts, by both workers.
    scored = [task for task in stream.data if task["key"].startswith("_score")]
    assert len(scored) == 4
    assert len({task["worker"] for task in scored}) == 2


def test_a_partition_count_below_one_is_refused():
    from ai_engine.distributed import score_partitions

    with pytest.raises(ValueError, match="at least 1"):
        score_partitions(client=None, partitions=0)


def test_suggestion_lists_made_on_a_local_cluster_are_the_one_process_lists():
    from ai_engine.distributed import recommend_partitioned
    from ai_engine.models.suggestion_model import SuggestionModel

    tx = generate_history(n_customers=400, seed=2)
    model = SuggestionModel().fit(tx, as_of=AS_OF)
    alone = model.recommend_kinds(top=5)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client, \
            distributed.get_task_stream(client) as stream:
        spread = recommend_partitioned(model, client, top=5, partitions=3)
    assert set(spread) == set(alone)
    for kind, lists in alone.items():
        assert len(lists) > 0
        pd.testing.assert_frame_equal(spread[kind], lists)
    made = [task for task in stream.data if task["key"].startswith("_recommend")]
    assert len(made) == 3
