"""The run form's metrics: the back-test's headline table first, then every figure."""

import json

from markupsafe import Markup, escape


def to_html(env, metrics_json):
    """JSON metrics → a two-column HTML table (nested keys joined by dots)."""
    if not metrics_json:
        return False
    try:
        metrics = json.loads(metrics_json)
    except ValueError:
        return Markup("<pre>%s</pre>") % metrics_json
    headline = _headline(env, metrics) if isinstance(metrics, dict) else Markup("")
    rows = _flatten_metrics(env, metrics) if isinstance(metrics, dict) else [("", metrics)]
    body = Markup("").join(
        Markup("<tr><th>%s</th><td>%s</td></tr>")
        % (key.replace("_", " "), _format_metric(env, value))
        for key, value in rows
    )
    table = Markup('<table class="table table-sm o_ai_run_metrics"><tbody>%s</tbody></table>')
    return headline + table % body


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
    measures = [("auc", env._("AUC (ranking, 1 = perfect, 0.5 = chance)")),
                ("brier", env._("Brier score (lower is better)")),
                ("lift_top_decile", env._("Lift in the riskiest 10 %"))]
    caption = env._(
        "Churn model checked on your own past: learned from history up to %(as_of)s, "
        "compared with what %(n)s customers did in the next %(days)s days.",
        as_of=backtest.get("as_of", "?"), n=backtest.get("n_customers", "?"),
        days=backtest.get("horizon_days", "?"),
    )
    return _accuracy_table(
        env, caption, [env._("Churn model"), env._("Recency only")],
        [(label, [model.get(key), baseline.get(key)]) for key, label in measures],
    )


def _suggestion_headline(env, backtest):
    caption = env._(
        "Suggestions checked on your own past: learned from orders before %(cut)s, "
        "compared with the next order of %(n)s customers.",
        cut=backtest.get("cut", "?"), n=backtest.get("n_customers", "?"),
    )
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
