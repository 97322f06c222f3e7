"""BG/NBD: the closed-form expectation against the model's own generative story."""

import numpy as np
import pandas as pd
import pytest

from ai_engine.models.bgnbd import BetaGeoModel, rft

# Customers from one order to twenty purchase days, recent and lapsed.
CUSTOMERS = pd.DataFrame({"purchase_days": [1, 3, 11, 21, 21],
                          "age_days": [272, 272, 272, 272, 200],
                          "recency_days": [272, 60, 10, 22, 5]})


def simulated_purchases(model, summary, horizon, draws=200_000, seed=0):
    """Mean purchases over the horizon drawn as BG/NBD tells it: alive or not, a rate and a
    dropout chance from their posteriors, Poisson purchases until the dropout after one."""
    rng = np.random.default_rng(seed)
    p = model.params_
    x, _t_x, T = rft(summary)
    alive = model.p_alive(summary)
    means = []
    for i in range(len(summary)):
        rate = rng.gamma(p["r"] + x[i], 1 / (p["alpha"] + T[i]), draws)
        dropout = rng.beta(p["a"], p["b"] + x[i], draws)
        means.append(alive[i] * np.minimum(rng.poisson(rate * horizon),
                                           rng.geometric(dropout)).mean())
    return np.array(means)


@pytest.mark.parametrize("a", [0.79, 2.5])  # CDNOW's fitted a is below 1
def test_expected_purchases_match_the_models_own_simulation(a):
    model = BetaGeoModel()
    model.params_ = {"r": 0.24, "alpha": 31.0, "a": a, "b": 2.42}
    expected = model.expected_purchases(CUSTOMERS, 273)
    np.testing.assert_allclose(expected, simulated_purchases(model, CUSTOMERS, 273), rtol=0.02)
