"""How well the suggested categories would have done: trained on the older tickets a desk filed,
measured on its newest ones, beside always guessing the most common category."""

from __future__ import annotations

import pandas as pd

from ai_engine.models.ticket_text import CategorySuggester

MIN_BACKTEST = 50  # categorised tickets needed before measuring the suggestions


def category_backtest(texts: pd.Series, labelled: pd.DataFrame) -> dict | None:
    """Train on the older 80 % of categorised tickets, test on the newest 20 %."""
    if len(labelled) < MIN_BACKTEST:
        return None
    ordered = labelled.sort_values("created").astype({"category_id": int})
    cut = int(len(ordered) * 0.8)
    train, test = ordered.iloc[:cut], ordered.iloc[cut:]
    if train["category_id"].nunique() < 2:
        return None
    model = CategorySuggester().fit(texts[train["ticket_id"]], train["category_id"])
    predicted = model.predict(texts[test["ticket_id"]])
    majority = train["category_id"].mode().iloc[0]
    return {"n_train": int(len(train)), "n_test": int(len(test)),
            "top1_accuracy": round(float((predicted == test["category_id"].values).mean()), 4),
            "majority_baseline": round(float((test["category_id"] == majority).mean()), 4)}
