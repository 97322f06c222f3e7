"""Explanations as codes with their numbers, and their English wording.

Odoo stores the codes (``{"code": "silence_vs_own_gap", "days": 143, "gap": 30}``) and shows
them in the reader's language (the module's ``models/ai_contract.py`` holds the translatable
texts); the English here serves the engine's own outputs: the scores CSV, ``recommend``'s CSV
and the HTML report. ``scripts/check_contract.py`` holds both sides' codes and parameters
together. A parameter is worded by its name: days, months, money, a product, a list of words.
"""

from __future__ import annotations

from collections.abc import Mapping

CHURN_REASONS = {
    "silence_vs_own_gap": "No order for {days}; this customer usually orders every {gap}",
    "silence_vs_typical_gap": "No order for {days}; repeat customers usually reorder within "
                              "{gap}",
    "one_order": "Only one order so far",
    "few_orders": "Only {orders} orders in {months}",
    "spend_fell_year": "Spending fell {percent} % versus the previous year",
    "spend_fell": "Spending fell {percent} % versus the {days} before",
    "small_orders": "Small orders: {value} on average against {typical} for a typical repeat "
                    "customer",
    "rare_orders": "Orders rarely: {gap} between orders on average",
    "usual_gap": "Usually orders every {gap}",
    "refunds": "{percent} % of what this customer bought was refunded",
    "new_customer": "New customer: first order {days} ago",
    "support_negative": "Support tickets in the last 90 days: {tickets}, {negative} of them "
                        "negative",
    "support_mood": "Support tickets in the last 90 days: {tickets}, in a negative mood",
}
CLUSTERS = {"cluster": "{often}, {spend} {when}", "all_customers": "All customers"}
CLUSTER_PARTS = {
    "often": {"frequent": "Frequent", "occasional": "Occasional", "one_time": "One-time"},
    "spend": {"high": "high-spend", "mid": "mid-spend", "small": "low-spend"},
    "when": {"recent": "recent buyers", "lapsing": "buyers, lapsing",
             "gone": "buyers, long gone", "quiet": "buyers, gone quiet"},
}
SUGGESTION_REASONS = {
    "reorder_cycle": "Reorders about every {cycle}; last order {days} ago",
    "bought_before": "Bought {times} times before; last order {days} ago",
    "bought_once": "Bought once before; last order {days} ago",
    "bought_with": "Bought with {product} by {percent} % of customers",
    "popular_with_segment": "Popular with customers like this one",
    "category_top_seller": "Top seller in this category",
    "top_seller": "Top seller overall",
}
TOPICS = {"topic_words": "Top words: {words}"}
# What a customer is worth (``insights.value``): one line per figure on the contact.
VALUE_REASONS = {
    "expected_orders": "{orders} orders expected in the next {days}; {past} so far in {months}",
    "spend_per_order": "About {value} per order: the customer's own average, drawn toward the "
                       "typical {typical} the fewer orders it rests on",
    "value_range": "{percent} % of customers like this one spend within this range in the "
                   "next 12 months",
    "next_order": "{percent} % likely to order in the next 12 months; as likely as not within "
                  "{days}",
    "no_next_order": "Most likely gone: only {percent} % likely to order in the next 12 months",
    "next_order_rhythm": "Orders about every {gap}; last ordered {days} ago (its own rhythm "
                         "dated next orders better than the model on this company's past)",
    "no_next_order_rhythm": "Silent for more than three of its usual gaps (about {gap}; last "
                            "ordered {days} ago): no next order expected",
    "value_baseline": "Average monthly spend × months × retention ({percent} % of customers "
                      "still buy): the model did not do better on this company's past",
}

DAY_PARAMS = ("days", "gap", "cycle")
MONTH_PARAMS = ("months",)
MONEY_PARAMS = ("value", "typical")
PRODUCT_PARAMS = ("product",)
LIST_PARAMS = ("words",)


def explain(code: str, **params) -> dict:
    """An explanation as Odoo stores it; numbers become plain ints where they are whole."""
    return {"code": code, **{key: _plain(value) for key, value in params.items()}}


def render(explanation: Mapping, templates: Mapping[str, str],
           product_names: Mapping | None = None) -> str:
    """The English text of one explanation (``product_names``: product id → name)."""
    params = {key: _word(key, value, product_names)
              for key, value in explanation.items() if key != "code"}
    return templates[explanation["code"]].format(**params)


def _plain(value):
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars do not travel over JSON-RPC
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _word(key, value, product_names):
    if key in CLUSTER_PARTS:
        return CLUSTER_PARTS[key][value]
    if key in DAY_PARAMS:
        return "1 day" if value == 1 else f"{value:,.0f} days"
    if key in MONTH_PARAMS:
        return "1 month" if value == 1 else f"{value:,.0f} months"
    if key in MONEY_PARAMS:
        return f"{value:,.0f}"
    if key in PRODUCT_PARAMS:
        return str((product_names or {}).get(value, f"product {value}"))
    if key in LIST_PARAMS:
        return ", ".join(map(str, value))
    return f"{value:,.0f}" if isinstance(value, (int, float)) else str(value)
