"""The night's first read of the sales history serves the next tasks, brought up to date."""

import pandas as pd
import pandas.testing as pdt

from ai_engine.datasets.synthetic import generate_history
from ai_engine.shared_sales import up_to_date


def by_line(tx):
    return tx.sort_values(list(tx.columns)).reset_index(drop=True)


def test_a_copy_brought_up_to_date_is_the_history_a_full_read_gives_now():
    history = generate_history(n_customers=200, seed=5)
    copy = history[history["date"] < history["date"].max() - pd.Timedelta(days=30)]
    customers = sorted(history["customer_id"].unique())
    changed_customers, objector = customers[:7], customers[10]
    # Read again: the whole history of the customers whose orders changed since the copy.
    changed = history[history["customer_id"].isin(changed_customers)]
    now = up_to_date(copy, changed, {objector})
    expected = pd.concat([copy[~copy["customer_id"].isin(changed_customers)], changed])
    expected = expected[expected["customer_id"] != objector]
    pdt.assert_frame_equal(by_line(now), by_line(expected))
    assert objector not in set(now["customer_id"])
    assert now["date"].is_monotonic_increasing  # sale_transactions' order


def test_nothing_changed_keeps_the_copy_but_the_objectors():
    copy = generate_history(n_customers=50, seed=6)
    objector = copy["customer_id"].iloc[0]
    empty = pd.DataFrame(columns=copy.columns)
    now = up_to_date(copy, empty, {objector})
    pdt.assert_frame_equal(now, copy[copy["customer_id"] != objector].reset_index(drop=True))
    assert now.dtypes.equals(copy.dtypes)
