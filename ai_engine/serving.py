"""Which serves, the learned model or its simple baseline: each run's own back-test decides.

Every model has a plain baseline (churn: recency against the customer's usual gap; suggestions:
the customer's own favourites or best sellers; ticket categories: the most frequent one). On the
company's own past, the model serves only when it did at least as well as the baseline (or, where
the caller says so, only when clearly better); the grade says by how much, the way an analyst
reads it:

* ``A``: the model served and was clearly better (by at least ``margin``);
* ``B``: about as good as the baseline (better by less than ``margin``): the model serves, or
  the baseline where the caller says a tie goes to it (``about_equal="baseline"``: the simpler
  list when the model is not clearly better);
* ``C``: the baseline served, because the model did worse.

With no back-test possible (too little history), the baseline serves and the grade is empty.
"""

from __future__ import annotations

GRADES = ("A", "B", "C")


def choose(model: float | None, baseline: float | None, margin: float,
           higher_is_better: bool = True, about_equal: str = "model") -> dict:
    """``{"served": "model"|"baseline", "grade": "A"|"B"|"C"|None, "model", "baseline"}`` from
    the two back-test scores of one measure; ``about_equal`` (``"model"`` or ``"baseline"``)
    is what serves at grade B."""
    if about_equal not in ("model", "baseline"):
        raise ValueError(f"about_equal must be 'model' or 'baseline', not {about_equal!r}")
    if model is None or baseline is None:
        return {"served": "baseline", "grade": None, "model": model, "baseline": baseline}
    gain = (model - baseline) if higher_is_better else (baseline - model)
    grade = "A" if gain >= margin else "B" if gain >= 0 else "C"
    served = {"A": "model", "B": about_equal, "C": "baseline"}[grade]
    return {"served": served, "grade": grade, "model": model, "baseline": baseline}
