"""Customer value for the next 12 months, in company currency.

CLV = expected purchases in 365 days (BG/NBD, or the fallback rule) × the customer's net order
value shrunk toward the population's: (n · own + k · population) / (n + k) with k = 2 — the
empirical-Bayes idea of the Gamma-Gamma model without its extra fit, so a single big order does not
make a customer look like a whale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SHRINK_ORDERS = 2.0


def shrunk_order_value(summary: pd.DataFrame) -> pd.Series:
    own = summary["avg_order_value"].clip(lower=0).fillna(0)
    n = summary["frequency"].astype(float)
    population = float(np.average(own, weights=n)) if n.sum() > 0 else 0.0
    return (n * own + SHRINK_ORDERS * population) / (n + SHRINK_ORDERS)


def expected_value(summary: pd.DataFrame, expected_purchases) -> pd.Series:
    """``expected_purchases``: per-customer expected orders in the next 365 days."""
    value = np.asarray(expected_purchases, dtype=float) * shrunk_order_value(summary)
    return pd.Series(np.round(value, 2), index=summary.index, name="clv")
