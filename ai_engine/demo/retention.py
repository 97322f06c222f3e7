"""The demo's retention wave: drawn on the generated history as of ``horizon_days`` before its
end, the hidden "responds to a call" effect applied to the called customers
(``datasets.synthetic.respond_to_calls``), then measured the way a retention run measures a
wave in Odoo."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ai_engine.datasets.synthetic import respond_to_calls
from ai_engine.insights.job import score_customers
from ai_engine.retention.evaluate import effect_sentence
from ai_engine.retention.job import Inputs, draw_wave, eligible, measure

SALESPEOPLE = 8  # generated customers are spread over this many salespeople
CALLS = 40  # per salesperson: one large wave, so that its effect can be measured
CONTROL_PERCENT = 30
HORIZON_DAYS = 60
RESPONSE_RATE = 0.25  # the hidden effect: a called customer comes back with this probability


def demo_retention(tx: pd.DataFrame, seed: int, response_rate: float = RESPONSE_RATE,
                   horizon_days: int = HORIZON_DAYS) -> dict:
    """What the report shows of the wave: its counts, the measured effect (``compare``'s keys)
    and the sentence saying it."""
    wave_date = tx["date"].max() - pd.Timedelta(days=horizon_days)
    past = tx[tx["date"] <= wave_date]
    scored = score_customers(past, as_of=wave_date, backtest=False)
    customers = scored.scores.assign(user_id=scored.scores["customer_id"] % SALESPEOPLE + 1,
                                     excluded=False)
    candidates = eligible(customers, past, wave_date, scored.horizon_days)
    drawn = draw_wave(candidates, CALLS, CONTROL_PERCENT, seed)
    called = drawn.loc[drawn["assignment"] == "treated", "customer_id"]
    after = respond_to_calls(tx, called, wave_date, horizon_days, response_rate, seed)
    members = drawn.assign(member_id=np.arange(1, len(drawn) + 1), wave_id=1,
                           activity_done=drawn["assignment"] == "treated")
    waves = pd.DataFrame({"wave_id": [1], "date": [wave_date], "horizon_days": [horizon_days]})
    effects, _outcomes = measure(Inputs(after, customers, waves, members), tx["date"].max())
    effect = effects[0]
    return {**effect, "sentence": effect_sentence(effect), "date": wave_date.date(),
            "horizon_days": horizon_days, "eligible": len(candidates),
            "salespeople": SALESPEOPLE, "per_salesperson": CALLS,
            "control_percent": CONTROL_PERCENT, "response_rate": response_rate, "seed": seed}
