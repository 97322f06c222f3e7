"""The module's half of the engine contract: every code and value the engine may send, once.

The engine writes explanations as codes with their numbers (``{"code": "silence_vs_own_gap",
"days": 143, "gap": 30}``); the texts live here, translatable, and ``ai_explain`` renders them
in the reader's language. ``scripts/check_contract.py`` reads this file without Odoo and fails
the test command when the engine sends a code, key or parameter the module does not know.
"""

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

CHURN_RISKS = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
CHURN_METHODS = [
    ("model", "Model (trained on your sales history)"),
    ("fallback", "Transparent rule (recency vs. usual gap)"),
]
# How a model did against its plain baseline on the company's own past (ai_engine/serving.py).
GRADES = [("A", "A: clearly better"), ("B", "B: about equal"), ("C", "C: baseline used")]
SUGGESTION_SOURCES = [
    ("history", "Bought before"),
    ("affinity", "Bought together"),
    ("segment", "Similar customers"),
    ("category", "Category top seller"),
    ("popular", "Popular"),
]

# Why a customer may stop buying: the churn model's top reasons.
CHURN_REASONS = {
    "silence_vs_own_gap": _lt(
        "No order for %(days)s; this customer usually orders every %(gap)s"),
    "silence_vs_typical_gap": _lt(
        "No order for %(days)s; repeat customers usually reorder within %(gap)s"),
    "one_order": _lt("Only one order so far"),
    "few_orders": _lt("Only %(orders)s orders in %(months)s"),
    "spend_fell_year": _lt("Spending fell %(percent)s %% versus the previous year"),
    "spend_fell": _lt("Spending fell %(percent)s %% versus the %(days)s before"),
    "small_orders": _lt(
        "Small orders: %(value)s on average against %(typical)s for a typical repeat customer"),
    "rare_orders": _lt("Orders rarely: %(gap)s between orders on average"),
    "usual_gap": _lt("Usually orders every %(gap)s"),
    "refunds": _lt("%(percent)s %% of what this customer bought was refunded"),
    "new_customer": _lt("New customer: first order %(days)s ago"),
    "support_negative": _lt(
        "Support tickets in the last 90 days: %(tickets)s, %(negative)s of them negative"),
    "support_mood": _lt("Support tickets in the last 90 days: %(tickets)s, in a negative mood"),
}

# Behaviour clusters are named from three parts: how often, how much, how recently.
CLUSTERS = {
    "cluster": _lt("%(often)s, %(spend)s %(when)s"),
    "all_customers": _lt("All customers"),
}
CLUSTER_PARTS = {
    "often": {"frequent": _lt("Frequent"), "occasional": _lt("Occasional"),
              "one_time": _lt("One-time")},
    "spend": {"high": _lt("high-spend"), "mid": _lt("mid-spend"), "small": _lt("low-spend")},
    "when": {"recent": _lt("recent buyers"), "lapsing": _lt("buyers, lapsing"),
             "gone": _lt("buyers, long gone"), "quiet": _lt("buyers, gone quiet")},
}

# Why a product is suggested on a quotation.
SUGGESTION_REASONS = {
    "reorder_cycle": _lt("Reorders about every %(cycle)s; last order %(days)s ago"),
    "bought_before": _lt("Bought %(times)s times before; last order %(days)s ago"),
    "bought_once": _lt("Bought once before; last order %(days)s ago"),
    "bought_with": _lt("Bought with %(product)s by %(percent)s %% of customers"),
    "popular_with_segment": _lt("Popular with customers like this one"),
    "category_top_seller": _lt("Top seller in this category"),
    "top_seller": _lt("Top seller overall"),
}

# What a customer is worth: value bands by 12-month value within the company, what served, and
# one line per figure on the contact.
VALUE_BANDS = [
    ("top", "Top 10 %"),
    ("high", "High (next 20 %)"),
    ("medium", "Medium (next 30 %)"),
    ("low", "Low (bottom 40 %)"),
]
VALUE_METHODS = [
    ("model", "Model (buy-till-you-die, trained on your sales history)"),
    ("baseline", "Baseline (average monthly spend × months × retention)"),
]
VALUE_REASONS = {
    "expected_orders": _lt(
        "%(orders)s orders expected in the next %(days)s; %(past)s so far in %(months)s"),
    "spend_per_order": _lt(
        "About %(value)s per order: the customer's own average, drawn toward the typical "
        "%(typical)s the fewer orders it rests on"),
    "value_range": _lt(
        "%(percent)s %% of customers like this one spend within this range in the next 12 months"),
    "next_order": _lt(
        "%(percent)s %% likely to order in the next 12 months; as likely as not within %(days)s"),
    "no_next_order": _lt(
        "Most likely gone: only %(percent)s %% likely to order in the next 12 months"),
    "next_order_rhythm": _lt(
        "Orders about every %(gap)s; last ordered %(days)s ago (its own rhythm dated next orders "
        "better than the model on this company's past)"),
    "no_next_order_rhythm": _lt(
        "Silent for more than three of its usual gaps (about %(gap)s; last ordered %(days)s "
        "ago): no next order expected"),
    "value_baseline": _lt(
        "Average monthly spend × months × retention (%(percent)s %% of customers still buy): the "
        "model did not do better on this company's past"),
}

# How each parameter is shown, by its name (the engine uses the same names).
DAY_PARAMS = ("days", "gap", "cycle")
MONTH_PARAMS = ("months",)
MONEY_PARAMS = ("value", "typical")
PRODUCT_PARAMS = ("product",)
LIST_PARAMS = ("words",)

# A task that reads another task's results waits until that task's queued or running run of
# the same company is over (ai.run.ai_claim_next).
TASK_NEEDS = {"suggestions": ("insights",), "retention": ("insights", "suggestions")}

# What a measured retention wave lets one conclude about calling customers at risk: the 95 %
# interval of the difference in customers ordering again (called minus control).
RETENTION_CONCLUSIONS = [
    ("effect", "The calls brought customers back: the whole interval is above 0."),
    ("harm", "Called customers ordered again less often: the whole interval is below 0."),
    ("inconclusive", "No conclusion: the interval includes 0, the effect may be nil."),
    ("too_small", "Too few customers in the wave for a conclusion."),
]

# What ``sale.order.line.ai_read_sales`` answers, column by column (the engine reads the same
# names): the line, its order, the order's commercial customer, the order's day (UTC, ISO), the
# product (empty for a line without one), the quantity and the subtotal in company currency.
SALES_COLUMNS = ["id", "order_id", "customer_id", "date", "product_id", "quantity", "amount"]
