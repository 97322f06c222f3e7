"""Self-contained HTML report of a scoring run: numbers, tables and base64-embedded PNG plots."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from jinja2 import Environment, PackageLoader, select_autoescape  # noqa: E402
from sklearn.calibration import calibration_curve  # noqa: E402
from sklearn.metrics import roc_curve  # noqa: E402

from ai_engine.features.segments import BY_CODE, SEGMENTS, gone_quiet  # noqa: E402
from ai_engine.retention.evaluate import wilson  # noqa: E402

BAND_COLOURS = {"low": "#4caf50", "medium": "#ff9800", "high": "#e53935"}


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def segment_plot(scores: pd.DataFrame) -> str:
    counts = scores["segment_code"].value_counts().reindex([s.code for s in SEGMENTS]).fillna(0)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.barh([BY_CODE[c].name for c in counts.index][::-1], counts.to_numpy()[::-1],
            color="#3f51b5")
    ax.set_xlabel("customers")
    ax.set_title("Customers per RFM segment")
    return _png(fig)


def churn_histogram(scores: pd.DataFrame) -> str:
    fig, ax = plt.subplots(figsize=(7, 3.5))
    bins = np.linspace(0, 1, 21)
    for band, colour in BAND_COLOURS.items():
        values = scores.loc[scores["churn_risk"] == band, "churn_probability"]
        ax.hist(values, bins=bins, color=colour, label=f"{band} ({len(values)})")
    ax.set_xlabel("churn probability")
    ax.set_ylabel("customers")
    ax.legend()
    ax.set_title("Churn probability by risk band")
    return _png(fig)


def _unit_square_png(fig, ax, xlabel: str, ylabel: str, legend: str, title: str) -> str:
    """Finish a model-vs-baseline curve on [0, 1]² with the diagonal for reference."""
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc=legend)
    ax.set_title(title)
    return _png(fig)


def roc_plot(outcomes: pd.DataFrame, metrics: dict) -> str:
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    for column, label in (("model", "model"), ("baseline", "recency only")):
        fpr, tpr, _ = roc_curve(outcomes["churned"], outcomes[column])
        ax.plot(fpr, tpr, label=f"{label} (AUC {metrics[column]['auc']:.3f})")
    return _unit_square_png(fig, ax, "false positive rate", "true positive rate", "lower right",
                            "Backtest ROC")


def calibration_plot(outcomes: pd.DataFrame) -> str:
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    for column, label in (("model", "model"), ("baseline", "recency only")):
        observed, predicted = calibration_curve(outcomes["churned"], outcomes[column], n_bins=10,
                                                strategy="quantile")
        ax.plot(predicted, observed, marker="o", label=label)
    return _unit_square_png(fig, ax, "predicted churn probability", "observed churn rate",
                            "upper left", "Backtest calibration")


def cluster_table(scores: pd.DataFrame) -> list[dict]:
    grouped = scores.groupby("cluster")
    table = pd.DataFrame({
        "customers": grouped.size(),
        "median_recency_days": grouped["recency_days"].median(),
        "median_frequency": grouped["frequency"].median(),
        "median_monetary": grouped["monetary"].median().round(2),
        "mean_churn_probability": grouped["churn_probability"].mean().round(3),
        "total_clv": grouped["clv"].sum().round(0),
    }).sort_values("customers", ascending=False)
    return table.reset_index().to_dict("records")


def retention_lists(scores: pd.DataFrame, horizon_days: int, top: int = 15) -> dict:
    """High-risk customers in two lists a salesperson treats differently: ``recoverable``
    (silent for less than three of their usual gaps, or the horizon for one-time buyers),
    ranked by the value the next 12 months still hold; and ``win_back`` (gone longer), ranked
    by what they spent so far."""
    risky = scores[scores["churn_risk"] == "high"]
    gone = gone_quiet(risky["recency_days"], risky["usual_gap_days"], horizon_days)
    columns = ["customer_id", "segment", "churn_probability", "recency_days", "monetary", "clv",
               "reasons"]
    return {
        "recoverable": risky[~gone].sort_values("clv", ascending=False).head(top)[columns]
        .to_dict("records"),
        "win_back": risky[gone].sort_values("monetary", ascending=False).head(top)[columns]
        .to_dict("records"),
    }


def best_lift(churn_rate: float, top_share: float = 0.1) -> float | None:
    """The lift a perfect ranking reaches in the riskiest ``top_share`` of customers."""
    if not churn_rate:
        return None
    return min(1.0, churn_rate / top_share) / churn_rate


SENTIMENT_COLOURS = {"negative": "#e53935", "neutral": "#9e9e9e", "positive": "#4caf50"}


def sentiment_plot(tickets: pd.DataFrame) -> str:
    months = tickets["created"].dt.to_period("M")
    counts = (pd.crosstab(months, tickets["sentiment"])
              .reindex(columns=list(SENTIMENT_COLOURS), fill_value=0))
    fig, ax = plt.subplots(figsize=(7, 3.5))
    bottom = np.zeros(len(counts))
    for label, colour in SENTIMENT_COLOURS.items():
        ax.bar(counts.index.astype(str), counts[label], bottom=bottom, color=colour, label=label)
        bottom += counts[label].to_numpy()
    ax.set_ylabel("tickets")
    ax.tick_params(axis="x", labelrotation=60)
    ax.legend()
    ax.set_title("Tickets per month by sentiment")
    return _png(fig)


def helpdesk_context(tickets: pd.DataFrame, metrics: dict, top: int = 15) -> dict:
    """What the report shows of a helpdesk run: counts, languages, escalations."""
    by_language = (pd.crosstab(tickets["language"], tickets["sentiment"])
                   .reindex(columns=list(SENTIMENT_COLOURS), fill_value=0))
    by_language.insert(0, "tickets", by_language.sum(axis=1))
    escalated = tickets[tickets["escalate"].astype(bool)].sort_values("sentiment_score")
    return {"n": len(tickets), "open": int((tickets["state"] == "open").sum()),
            "sentiment": metrics.get("sentiment", {}), "escalated": len(escalated),
            "backtest": metrics.get("category_backtest"),
            "by_language": by_language.sort_values("tickets", ascending=False)
                                      .reset_index().to_dict("records"),
            "escalations": escalated.head(top).to_dict("records"),
            "plot": sentiment_plot(tickets)}


def retention_plot(wave: dict) -> str:
    """Share of called and control customers who ordered again, with Wilson 95 % intervals."""
    shares, errors = [], []
    for group in ("treated", "control"):
        n, k = wave[f"{group}_measured"], wave[f"{group}_ordered"]
        low, high = wilson(k, n)
        shares.append(100 * k / n)
        errors.append((100 * k / n - 100 * low, 100 * high - 100 * k / n))
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.bar(["called", "control (no call)"], shares, color=["#1e88e5", "#9e9e9e"],
           yerr=np.array(errors).T, capsize=6)
    ax.set_ylabel("% ordering again within the horizon")
    ax.set_title("Retention wave: called vs control")
    return _png(fig)


def render(result, tx: pd.DataFrame, helpdesk: dict | None = None,
           suggestions: dict | None = None, currency: str = "EUR",
           wave: dict | None = None) -> str:
    scores = result.scores
    env = Environment(loader=PackageLoader("ai_engine.reporting", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    env.filters["money"] = lambda value, digits=0: f"{value:,.{digits}f} {currency}"
    back = result.metrics.get("backtest")
    plots = {"segments": segment_plot(scores), "churn": churn_histogram(scores)}
    if back and result.backtest is not None:
        plots["roc"] = roc_plot(result.backtest, back)
        plots["calibration"] = calibration_plot(result.backtest)
    return env.get_template("report.html.j2").render(
        m=result.metrics, horizon=result.horizon_days, plots=plots, backtest=back,
        n_lines=len(tx), first_date=tx["date"].min(), last_date=tx["date"].max(),
        total_clv=float(scores["clv"].sum()), risk=scores["churn_risk"].value_counts().to_dict(),
        segments=[{"name": s.name, "meaning": s.meaning,
                   "customers": int((scores["segment_code"] == s.code).sum())}
                  for s in SEGMENTS],
        clusters=cluster_table(scores), retention=retention_lists(scores, result.horizon_days),
        best_lift=best_lift(back["churn_rate"]) if back else None, helpdesk=helpdesk,
        suggestions=suggestions, currency=currency,
        wave=wave and {**wave, "plot": retention_plot(wave)
                       if wave["conclusion"] != "too_small" else None},
    )


def write_report(result, tx: pd.DataFrame, out_dir: str | Path, helpdesk: dict | None = None,
                 suggestions: dict | None = None, currency: str = "EUR",
                 wave: dict | None = None) -> Path:
    """Write ``report.html`` into ``out_dir`` and return its path. ``helpdesk``: a
    ``helpdesk_context`` to add a section on tickets; ``suggestions``: ``demo_suggestions``
    to add one on product suggestions; ``currency``: the code amounts are shown with;
    ``wave``: ``demo_retention`` to add a measured retention wave."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.html"
    path.write_text(render(result, tx, helpdesk, suggestions, currency, wave),
                    encoding="utf-8")
    return path
