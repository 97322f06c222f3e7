"""Which serves, the learned model or its simple baseline: each run's own back-test decides.

Every model has a plain baseline (churn: recency against the customer's usual gap; suggestions:
the customer's own favourites or best sellers; ticket categories: the most frequent one). On the
company's own past, the model serves only when it did at least as well as the baseline; the grade
says by how much, the way an analyst reads it:

* ``A``: the model served and was clearly better (by at least ``margin``);
* ``B``: the model served, about as good as the baseline (better by less than ``margin``);
* ``C``: the baseline served, because the model did worse.

With no back-test possible (too little history), the baseline serves and the grade is empty.
"""

from __future__ import annotations

GRADES = ("A", "B", "C")


def choose(model: float | None, baseline: float | None, margin: float,
           higher_is_better: bool = True) -> dict:
    """``{"served": "model"|"baseline", "grade": "A"|"B"|"C"|None, "model", "baseline"}`` from
    the two back-test scores of one measure."""
    if model is None or baseline is None:
        return {"served": "baseline", "grade": None, "model": model, "baseline": baseline}
    gain = (model - baseline) if higher_is_better else (baseline - model)
    grade = "A" if gain >= margin else "B" if gain >= 0 else "C"
    return {"served": "baseline" if grade == "C" else "model", "grade": grade,
            "model": model, "baseline": baseline}
