"""The run form's metrics as a report: what the run did, which model served and how it did on
the company's own past (with its grade against the plain baseline), then — folded — every
figure the engine sent."""

import json

from markupsafe import Markup, escape

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# What each serving decision is about, and the baseline it was measured against.
DECISIONS = {
    "churn": (_lt("Churn risk"), _lt("the recency rule (silence against the usual gap)")),
    "suggestions_repeat": (_lt("Suggestions of products bought before"),
                           _lt("the customer's own most-bought products")),
    "suggestions_new": (_lt("Suggestions of products never bought"), _lt("best sellers")),
    "category": (_lt("Ticket category suggestions"), _lt("the most frequent category")),
    "value": (_lt("Customer value (revenue error per customer)"),
              _lt("average monthly spend × months × retention")),
    "next_order": (_lt("Expected next order date (days off per customer)"),
                   _lt("the customer's own rhythm (last order + usual gap)")),
}
# Decimals of a decision's scores by its measure (mean days off, revenue error per customer).
MEASURE_DIGITS = {"next_order_mae_days": 1, "revenue_mae": 2}
# By grade and what served (ai_engine/serving.py: at grade B some decisions keep the baseline).
GRADES = {
    ("A", "model"): _lt("A — the model served: clearly better than %(baseline)s"),
    ("B", "model"): _lt("B — the model served: about as good as %(baseline)s"),
    ("B", "baseline"): _lt("B — %(baseline)s served: the model was only about as good"),
    ("C", "baseline"): _lt("C — %(baseline)s served: the model did worse"),
    None: _lt("%(baseline)s served: too little history to check the model"),
}


def load_metrics(metrics_json):
    """A run's JSON metrics as a dict, or None when they are missing or not a JSON object."""
    try:
        metrics = json.loads(metrics_json) if metrics_json else None
    except ValueError:
        return None
    return metrics if isinstance(metrics, dict) else None


def to_html(env, metrics_json):
    """JSON metrics → the report: summary, serving decisions, back-test, folded details."""
    if not metrics_json:
        return False
    metrics = load_metrics(metrics_json)
    if metrics is None:
        return Markup("<pre>%s</pre>") % metrics_json
    rows = _flatten_metrics(env, metrics)
    details = Markup("").join(
        Markup("<tr><th>%s</th><td>%s</td></tr>")
        % (key.replace("_", " "), _format_metric(env, value))
        for key, value in rows
    )
    return (_summary(env, metrics) + _serving(env, metrics.get("serving") or {})
            + _headline(env, metrics) + _notes(metrics)
            + Markup('<details class="o_ai_run_details mt-3"><summary>%s</summary>'
                     '<table class="table table-sm o_ai_run_metrics"><tbody>%s</tbody></table>'
                     "</details>") % (env._("All figures (technical)"), details))


def _summary(env, metrics):
    """One sentence on what the run did."""
    if "n_tickets" in metrics:
        text = env._("%(changed)s new or changed tickets analysed out of %(n)s; %(escalated)s to "
                     "escalate.", changed=metrics.get("n_changed", 0), n=metrics["n_tickets"],
                     escalated=metrics.get("escalated", 0))
    elif "suggestions" in metrics:
        text = env._("%(customers)s customers got a list of suggested products (%(rows)s "
                     "suggestions, %(pairs)s products bought together).",
                     customers=metrics.get("n_customers", 0), rows=metrics["suggestions"],
                     pairs=metrics.get("affinities", 0))
    elif metrics.get("scope") == "changes":
        text = env._("%(n)s customers whose orders changed scored as of %(as_of)s, with the "
                     "models of the full run as of %(models)s.",
                     n=metrics.get("n_customers", 0), as_of=metrics.get("as_of", "?"),
                     models=metrics.get("models_as_of", "?"))
    elif "n_customers" in metrics:
        text = env._("%(n)s customers scored as of %(as_of)s, churn horizon %(days)s days.",
                     n=metrics["n_customers"], as_of=metrics.get("as_of", "?"),
                     days=metrics.get("horizon_days", "?"))
    else:
        return Markup("")
    return Markup('<p class="o_ai_run_summary lead">%s</p>') % text


def serving_lines(env, serving, keys=None):
    """``(key, label, grade, text)`` of each decision in ``serving`` (of ``keys``, default all), in
    ``DECISIONS``' order: what it is about, its grade and, in words, what served and why."""
    lines = []
    for key, (label, baseline) in DECISIONS.items():  # in DECISIONS' order, not the JSON's
        decision = serving.get(key) if isinstance(serving, dict) else None
        if not isinstance(decision, dict) or (keys is not None and key not in keys):
            continue
        grade = decision.get("grade")
        template = env._(GRADES.get((grade, decision.get("served")), GRADES[None]))
        lines.append((key, env._(label), grade, template % {"baseline": env._(baseline)}))
    return lines


def _serving(env, serving):
    """Which served, the model or its baseline, with the grade, for each decision of the run."""
    rows = Markup("")
    for key, label, grade, text in serving_lines(env, serving):
        decision = serving[key]
        badge = {"A": "text-bg-success", "B": "text-bg-info", "C": "text-bg-warning"}.get(
            grade, "text-bg-secondary")
        rows += Markup('<tr><th>%s</th><td><span class="badge %s">%s</span></td><td>%s</td>'
                       "<td>%s</td><td>%s</td></tr>") % (
            label, badge, grade or "—", text,
            _format_score(env, decision, "model"), _format_score(env, decision, "baseline"))
    if not rows:
        return Markup("")
    return Markup('<table class="table table-sm o_ai_run_serving"><thead><tr><th>%s</th>'
                  "<th>%s</th><th/><th>%s</th><th>%s</th></tr></thead><tbody>%s</tbody>"
                  "</table>") % (env._("What serves"), env._("Grade"), env._("Model"),
                                 env._("Baseline"), rows)


def _notes(metrics):
    notes = [note for note in metrics.get("notes") or [] if isinstance(note, str)]
    if not notes:
        return Markup("")
    return Markup('<ul class="o_ai_run_notes text-muted">%s</ul>') % Markup("").join(
        Markup("<li>%s</li>") % note for note in notes)


def _headline(env, metrics):
    """The question admins ask first: how accurate was the model on our own past?"""
    if metrics.get("category_backtest"):
        return _category_headline(env, metrics["category_backtest"])
    if metrics.get("suggestion_backtest"):
        return _suggestion_headline(env, metrics["suggestion_backtest"])
    backtest = metrics.get("backtest") or {}
    model, baseline = backtest.get("model"), backtest.get("baseline")
    if not (model and baseline):
        return Markup("")
    rate = backtest.get("churn_rate")
    best = min(1.0, rate / 0.1) / rate if rate else None
    measures = [("auc", env._("AUC (ranking, 1 = perfect, 0.5 = chance)")),
                ("brier", env._("Brier score (lower is better)")),
                ("lift_top_decile", env._("Lift in the riskiest 10 %% (best possible: %(best)s)",
                                          best=_format_metric(env, best)))]
    caption = env._(
        "Churn model checked on your own past: learned from history up to %(as_of)s, "
        "compared with what %(n)s customers did in the next %(days)s days.",
        as_of=backtest.get("as_of", "?"), n=backtest.get("n_customers", "?"),
        days=backtest.get("horizon_days", "?"),
    )
    # The rule is what serves when the model loses; recency alone is the plainest yardstick.
    runs = [(env._("Churn model"), model)]
    if backtest.get("rule"):
        runs.append((env._("Rule: silence vs usual gap"), backtest["rule"]))
    runs.append((env._("Recency only"), baseline))
    table = _accuracy_table(env, caption, [name for name, _figures in runs],
                            [(label, [figures.get(key) for _name, figures in runs])
                             for key, label in measures])
    if (baseline.get("auc") or 0) >= (model.get("auc") or 0):
        table += Markup("<p class='text-warning'>%s</p>") % env._(
            "Recency alone ranked these customers at least as well as the model (AUC %(recency)s "
            "vs %(model)s): on this history, sorting customers by days since their last order "
            "tells almost as much.",
            recency=_format_metric(env, baseline.get("auc")),
            model=_format_metric(env, model.get("auc")))
    return table


def _suggestion_headline(env, backtest):
    caption = env._(
        "Suggestions checked on your own past: learned from orders before %(cut)s, "
        "compared with the next order of %(n)s customers.",
        cut=backtest.get("cut", "?"), n=backtest.get("n_customers", "?"),
    )
    if backtest.get("measured_on"):
        caption += " " + env._(
            "Checked on %(date)s: this check runs once a week, sooner when the orders change "
            "by more than 10 %%.", date=backtest["measured_on"])
    methods = [("model", env._("Suggestions")),
               ("popularity", env._("Best sellers")),
               ("own_history", env._("Their own most-bought"))]
    measures = [("hr_at_10", env._("Next order has one of the 10 (hit rate)")),
                ("hr_at_10_never_bought",
                 env._("… counting only products new to the customer"))]
    return _accuracy_table(
        env, caption, [label for _method, label in methods],
        [(label, [(backtest.get(method) or {}).get(key) for method, _label in methods])
         for key, label in measures],
    )


def _category_headline(env, backtest):
    caption = env._(
        "Category suggestions checked on your own tickets: learned from the %(train)s "
        "oldest categorised tickets, tested on the %(test)s newest.",
        train=backtest.get("n_train", "?"), test=backtest.get("n_test", "?"),
    )
    return _accuracy_table(
        env, caption, [env._("Suggestion"), env._("Most frequent category")],
        [(env._("Top-1 accuracy"),
          [backtest.get("top1_accuracy"), backtest.get("majority_baseline")])],
    )


def _accuracy_table(env, caption, columns, rows):
    """A caption over a table: one column per method, one row per measure."""
    head = Markup("").join(Markup("<th>%s</th>") % column for column in columns)
    body = Markup("").join(
        Markup("<tr><th>%s</th>%s</tr>") % (label, Markup("").join(
            Markup("<td>%s</td>") % _format_metric(env, value) for value in values))
        for label, values in rows
    )
    return Markup(
        '<p class="o_ai_run_headline">%s</p><table class="table table-sm o_ai_run_accuracy">'
        "<thead><tr><th/>%s</tr></thead><tbody>%s</tbody></table>"
    ) % (caption, head, body)


def _flatten_metrics(env, metrics, prefix=""):
    rows = []
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            rows += _flatten_metrics(env, value, prefix=f"{name}.")
        else:
            rows.append((name, value))
    return rows


def _format_score(env, decision, side):
    """A serving decision's score as its measure reads: days and money to two figures that
    mean something, the rest (AUC, hit rates) to three decimals."""
    value = decision.get(side)
    digits = MEASURE_DIGITS.get(decision.get("measure"))
    if digits is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return _format_metric(env, value)
    return f"{value:,.{digits}f}"


def _format_metric(env, value):
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "—"}[value]
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return Markup("<br/>").join(escape(_format_metric(env, v)) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)
