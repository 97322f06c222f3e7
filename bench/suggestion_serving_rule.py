"""Which list should serve the never-bought slots when the back-test grades the model B (better
than best sellers, but by less than the margin)? Measured on the data the design was tuned on
only — small companies drawn from the engine's generator (one seed each) and slices of The
Complete Journey's households — never on Instacart or the B2B generator.

For each company, as a run at its cut would: back-test on the lines before the cut
(``suggestion_backtest``), then score the model's and the best sellers' never-bought lists on
each customer's next order after the cut. Prints, per company, the back-test grade and the
held-out never-bought HR@10 of both, then what each rule would have served on average.

    OMP_NUM_THREADS=1 .venv/bin/python bench/suggestion_serving_rule.py
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from ai_engine.datasets.baskets_public import (
    load_complete_journey,
    load_complete_journey_products,
)
from ai_engine.datasets.synthetic import generate_history, generate_products
from ai_engine.features import suggestion_tables
from ai_engine.models.suggestion_model import SuggestionModel
from ai_engine.suggestions.evaluate import (
    MARGIN,
    next_orders,
    popularity_baseline,
    ranking_metrics,
    suggestion_backtest,
)


def last_fifth_cut(tx: pd.DataFrame) -> pd.Timestamp:
    return tx.drop_duplicates("order_id")["date"].quantile(0.8).normalize()


def companies(args):
    """(name, transactions, products) of each company."""
    for seed in range(args.seeds):
        products = generate_products(seed)
        yield (f"generated seed {seed}", generate_history(args.customers, seed=seed,
                                                          products=products), products)
    if args.cj_slices:
        tx, products = load_complete_journey(), load_complete_journey_products()
        households = pd.Series(tx["customer_id"].unique()).sort_values(
            key=lambda s: s.astype(int)).to_numpy()
        for part in range(args.cj_slices):
            keep = households[part::args.cj_slices]
            yield (f"complete journey slice {part + 1}/{args.cj_slices}",
                   tx[tx["customer_id"].isin(keep)], products)


def measure(name, tx, products) -> dict:
    for column in ("customer_id", "order_id", "product_id"):
        tx = tx.assign(**{column: tx[column].astype(str)})
    cut = last_fifth_cut(tx)
    backtest = suggestion_backtest(tx[tx["date"] < cut], products, None)
    choice = (backtest or {}).get("serving", {}).get("suggestions_new", {})
    truth = next_orders(tx, cut)
    truth = truth[truth["new"]]
    customers = pd.Index(truth["customer_id"].unique())
    model = SuggestionModel().fit(tx, as_of=cut, products=products)
    lines = suggestion_tables.purchase_lines(tx, cut)
    model_hr = ranking_metrics(model.recommend(customers, top=10, kind="new"), truth)["hr"]
    popular_hr = ranking_metrics(popularity_baseline(lines, customers, 10, exclude_bought=True),
                                 truth)["hr"]
    row = {"company": name, "customers": len(customers), "grade": choice.get("grade"),
           "backtest_model": choice.get("model"), "backtest_popular": choice.get("baseline"),
           "test_model": round(model_hr, 4), "test_popular": round(popular_hr, 4)}
    print(row, flush=True)
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=8, help="generated companies")
    parser.add_argument("--customers", type=int, default=600)
    parser.add_argument("--cj-slices", type=int, default=4)
    args = parser.parse_args(argv)
    rows = pd.DataFrame([measure(*company) for company in companies(args)])
    print("\n" + rows.to_string(index=False))
    served = {"B: model": rows["grade"].isin(["A", "B"]), "B: best sellers": rows["grade"] == "A"}
    print(f"\nmargin {MARGIN}; held-out never-bought HR@10, mean over {len(rows)} companies:")
    for rule, by_model in served.items():
        hr = rows["test_model"].where(by_model, rows["test_popular"])
        worse = int((hr < rows["test_popular"]).sum())
        print(f"  {rule:>16}: {hr.mean():.4f} (below best sellers in {worse})")
    graded_b = rows[rows["grade"] == "B"]
    if len(graded_b):
        print(f"  grade B companies: {len(graded_b)}; model beat best sellers after the cut in "
              f"{int((graded_b['test_model'] > graded_b['test_popular']).sum())}, mean gain "
              f"{(graded_b['test_model'] - graded_b['test_popular']).mean():+.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
