"""Helpdesk ticket insights for one company: what the engine computes from tickets, pure.

For the tickets that changed since the last run: the sentiment of the customer's side, a
suggested category (or, with no categorised tickets yet, a topic), up to three similar solved
tickets and the reply that solved the closest one, and an escalation flag for very negative
tickets from customers the contact insights call valuable or at risk. For customers: how many
tickets they opened lately and their average mood.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ai_engine.explanations import explain
from ai_engine.helpdesk.evaluate import category_backtest
from ai_engine.models.ticket_text import CategorySuggester, SimilarTickets, TopicFinder
from ai_engine.serving import choose
from ai_engine.text.email_parts import email_body
from ai_engine.text.sentiment import SentimentScorer

MIN_LABELLED = 20           # categorised tickets needed before suggesting categories
# Top-1 accuracy by which the classifier must beat the most frequent category to be graded A.
CATEGORY_MARGIN = 0.02
ESCALATE_BELOW = -0.8       # sentiment score under which a ticket can be escalated
VALUABLE_SEGMENTS = {"champions", "loyal", "cant_lose", "at_risk"}
GONE_SEGMENTS = {"lost", "hibernating"}  # high churn risk, but long gone: nothing to save


@dataclass
class Inputs:
    tickets: pd.DataFrame  # helpdesk.extract.TICKET_COLUMNS and partner_lang
    messages: pd.DataFrame | None = None  # helpdesk.extract.MESSAGE_COLUMNS, date order
    standing: pd.DataFrame | None = None  # customer_id → segment_code, churn_risk, excluded, …
    # An hourly run that read only new or changed tickets: the day's models of the whole desk.
    models: DeskModels | None = None
    models_path: Path | None = None  # where a full run keeps what it learned


@dataclass
class HelpdeskResult:
    ticket_rows: list[dict]
    metrics: dict = field(default_factory=dict)
    models: DeskModels | None = field(default=None, repr=False)  # learned by this run
    save_models_to: Path | None = None  # where the load step keeps them (Inputs')


def customer_side(tickets: pd.DataFrame, messages: pd.DataFrame, subject: bool = True
                  ) -> pd.Series:
    """ticket id → (subject,) description and the customer's messages, as one text.

    The subject helps to tell what a ticket is about, but not how the customer feels: it is
    often a few words an agent or a web form chose ("Login problem"). Each e-mail loses its
    greeting, sign-off and signature on its own: joined first, only the last one's would go."""
    from_customer = messages[~messages["from_agent"].astype(bool)]
    # str.join, not a lambda: on a desk without messages the lambda sees a frame, not a series.
    later = (from_customer["body"].map(email_body).groupby(from_customer["ticket_id"])
             .agg("\n".join) if len(from_customer) else pd.Series(dtype=object))
    text = tickets["description"].map(email_body).set_axis(tickets["ticket_id"])
    if subject:
        text = tickets["subject"].set_axis(tickets["ticket_id"]) + ".\n" + text
    return text.add("\n" + later.reindex(text.index).fillna(""), fill_value="").str.strip()


def first_agent_replies(messages: pd.DataFrame) -> pd.Series:
    """ticket id → the first answer an agent wrote (messages are in date order)."""
    replies = messages[messages["from_agent"] & (messages["body"].str.len() > 0)]
    return replies.groupby("ticket_id")["body"].first()


def changed_ticket_ids(tickets: pd.DataFrame, messages: pd.DataFrame,
                       since: pd.Timestamp | None) -> set[int]:
    """Tickets never scored, edited since ``since``, or with a new customer message."""
    if since is None:
        return set(tickets["ticket_id"])
    edited = tickets[tickets["scored_at"].isna() | (tickets["changed_at"] >= since)]
    new_messages = messages[~messages["from_agent"] & (messages["date"] >= since)]
    return set(edited["ticket_id"]) | (set(new_messages["ticket_id"]) & set(tickets["ticket_id"]))


@dataclass
class DeskModels:
    """What a helpdesk run learns from the whole desk: the category suggestion that serves (the
    classifier, the most frequent category, or topics on a desk without categories) and the
    index of solved, answered tickets with their replies. A full run learns it; the hourly
    runs reuse it for a day (``model_cache``), reading only new or changed tickets."""

    learned_at: pd.Timestamp
    n_tickets: int
    category_metrics: dict
    classifier: CategorySuggester | None = None
    most_frequent: tuple[int, float] | None = None  # (category id, its share)
    topics: TopicFinder | None = None
    similar: SimilarTickets | None = None
    replies: pd.Series | None = None  # solved ticket id → the first agent reply


def learn_desk(texts: pd.Series, tickets: pd.DataFrame, messages: pd.DataFrame,
               learned_at) -> DeskModels:
    labelled = tickets[tickets["category_id"].notna()]
    models = DeskModels(pd.Timestamp(learned_at), int(len(tickets)),
                        {"category_method": "none (fewer than 10 tickets)"})
    if len(labelled) >= MIN_LABELLED and labelled["category_id"].nunique() >= 2:
        backtest = category_backtest(texts, labelled)
        serving = choose(*((backtest["top1_accuracy"], backtest["majority_baseline"])
                           if backtest else (None, None)), margin=CATEGORY_MARGIN)
        if serving["served"] == "model":
            models.classifier = CategorySuggester().fit(texts[labelled["ticket_id"]],
                                                        labelled["category_id"].astype(int))
        else:  # the most frequent category did as well on the desk's newest tickets
            shares = labelled["category_id"].astype(int).value_counts(normalize=True)
            models.most_frequent = (int(shares.index[0]), round(float(shares.iloc[0]), 4))
        models.category_metrics = {
            "category_method": "classifier" if serving["served"] == "model"
            else "most frequent category", "labelled_tickets": int(len(labelled)),
            "category_backtest": backtest, "serving": {"category": serving}}
    elif len(tickets) >= 10:
        models.topics = TopicFinder().fit(texts[tickets["ticket_id"]])
        models.category_metrics = {"category_method": "topics",
                                   "labelled_tickets": int(len(labelled)),
                                   "topics": models.topics.descriptions_}
    replies = first_agent_replies(messages)
    solved = tickets[tickets["solved"] & tickets["ticket_id"].isin(replies.index)]
    if len(solved):
        models.similar = SimilarTickets().fit(texts[solved["ticket_id"]], solved["ticket_id"])
        models.replies = replies.reindex(solved["ticket_id"])
    return models


def suggest_categories(models: DeskModels, texts: pd.Series, targets: list[int]
                       ) -> pd.DataFrame:
    """``ticket_id, category_id, category_confidence, topic`` for the target tickets."""
    out = pd.DataFrame({"ticket_id": targets, "category_id": None,
                        "category_confidence": None, "topic": None})
    if not targets:
        return out
    if models.classifier is not None:
        suggested = models.classifier.suggest(texts[targets])
        out["category_id"] = suggested["category"].astype(int).tolist()
        out["category_confidence"] = suggested["confidence"].round(4).tolist()
    elif models.most_frequent is not None:
        out["category_id"], out["category_confidence"] = models.most_frequent
    elif models.topics is not None:
        out["topic"] = [explain("topic_words", words=words) if words else None
                        for words in models.topics.top_words(texts[targets])]
    return out


def similar_and_replies(models: DeskModels, texts: pd.Series, targets: list[int]
                        ) -> pd.DataFrame:
    """``ticket_id, similar_ticket_ids, reply, reply_source_id``: solved tickets an agent
    answered."""
    out = pd.DataFrame({"ticket_id": targets, "similar_ticket_ids": [[] for _ in targets],
                        "reply": None, "reply_source_id": None})
    if models.similar is None or not targets:
        return out
    found = models.similar.similar(texts[targets], exclude_ids=targets)
    out["similar_ticket_ids"] = [[tid for tid, _sim in hits] for hits in found]
    out["reply"] = [models.replies[hits[0][0]] if hits else None for hits in found]
    out["reply_source_id"] = [hits[0][0] if hits else None for hits in found]
    return out


def ticket_insights(tickets: pd.DataFrame, messages: pd.DataFrame, standing: pd.DataFrame,
                    scorer, since: pd.Timestamp | None = None,
                    models: DeskModels | None = None) -> HelpdeskResult:
    """Everything the helpdesk run writes back, for the tickets that changed since ``since``.

    ``models``: what a full run learned from the whole desk (``learn_desk``), for a run that
    read only the new or changed tickets; without them they are learned from ``tickets``, and
    the result carries them (``HelpdeskResult.models``).

    ``standing``: customer_id → ``segment_code``, ``churn_risk``, ``excluded`` (the contact
    insights); customers who objected to profiling get no sentiment and no escalation.
    ``scorer``: an object with ``score(texts, strip_email, languages) -> DataFrame[label,
    score, language, sentence]`` (``SentimentScorer``). When ``tickets`` has a ``partner_lang``
    column (the contact's language in Odoo, "de_DE" or None), it goes to the scorer as each
    text's fallback language: it decides where detection is unsure ("Danke!", "ok").
    """
    started = time.perf_counter()
    texts = customer_side(tickets, messages)
    targets = sorted(changed_ticket_ids(tickets, messages, since))
    excluded = set(standing.index[standing["excluded"]]) if len(standing) else set()
    target_rows = tickets.set_index("ticket_id").loc[targets]
    profiled = [t for t in targets if target_rows.at[t, "customer_id"] not in excluded]
    feelings = customer_side(tickets, messages, subject=False)
    # customer_side already took each e-mail's greeting and sign-off off.
    languages = ({"languages": target_rows.loc[profiled, "partner_lang"].tolist()}
                 if "partner_lang" in target_rows else {})
    sentiment = (scorer.score(feelings[profiled].tolist(), strip_email=False, **languages)
                 if profiled else pd.DataFrame(columns=["label", "score", "language",
                                                        "sentence"]))
    sentiment.index = profiled
    learned = models is None
    if learned:
        models = learn_desk(texts, tickets, messages, pd.Timestamp.now(tz="UTC").tz_localize(None))
    categories = suggest_categories(models, texts, targets)
    similar = similar_and_replies(models, texts, targets)
    insights = categories.merge(similar, on="ticket_id")
    rows = []
    for rec in insights.to_dict("records"):
        row = {"id": int(rec["ticket_id"]),
               "similar_ticket_ids": [int(i) for i in rec["similar_ticket_ids"]],
               "category_id": _int_or_none(rec["category_id"]),
               "category_confidence": _float_or_none(rec["category_confidence"]),
               "topic": rec["topic"], "reply": rec["reply"],
               "reply_source_id": _int_or_none(rec["reply_source_id"])}
        if row["id"] in sentiment.index:
            mood = sentiment.loc[row["id"]]
            customer = target_rows.at[row["id"], "customer_id"]
            open_ticket = not target_rows.at[row["id"], "solved"]
            row.update(sentiment=mood["label"], sentiment_score=round(float(mood["score"]), 3),
                       language=mood["language"], sentiment_sentence=mood["sentence"] or None,
                       escalate=open_ticket and _escalate(mood["score"], customer, standing))
        else:  # objected to profiling: whatever was stored goes
            row.update(sentiment=None, sentiment_score=None, language=None,
                       sentiment_sentence=None, escalate=False)
        rows.append(row)
    elapsed = time.perf_counter() - started
    labels = sentiment["label"].value_counts().to_dict() if len(sentiment) else {}
    metrics = {
        "n_tickets": int(len(tickets)) if learned else max(models.n_tickets, len(tickets)),
        "n_changed": len(targets),
        "n_sentiment": len(profiled),
        "sentiment": {str(k): int(v) for k, v in labels.items()},
        "languages": ({str(k): int(v) for k, v in sentiment["language"].value_counts().items()}
                      if len(sentiment) else {}),
        "escalated": int(sum(bool(r.get("escalate")) for r in rows)),
        "with_reply": int(sum(r["reply"] is not None for r in rows)),
        "tickets_per_second": round(len(targets) / elapsed, 1) if elapsed and targets else None,
        **models.category_metrics,
        "models_learned_at": f"{models.learned_at:%Y-%m-%d %H:%M}",
    }
    return HelpdeskResult(rows, metrics, models if learned else None)


def run(inputs: Inputs, params: dict, today, log) -> HelpdeskResult:
    """A helpdesk run: the tickets changed since ``params["since"]`` (the start of the last
    successful helpdesk run; all tickets without one)."""
    if inputs.tickets.empty:
        log("No helpdesk tickets: nothing to analyse.")
        return HelpdeskResult([], {"n_tickets": 0})
    since = pd.Timestamp(params["since"]) if params.get("since") else None
    result = ticket_insights(inputs.tickets, inputs.messages, inputs.standing, SentimentScorer(),
                             since=since, models=inputs.models)
    result.save_models_to = inputs.models_path
    log(f"Analysed {result.metrics['n_changed']} new or changed tickets"
        + (f" (since {since})" if since is not None else "")
        + f" at {result.metrics['tickets_per_second']} tickets/s, with the desk's models "
        + ("learned now" if inputs.models is None
           else f"learned at {result.metrics['models_learned_at']}"))
    return result

def _escalate(score: float, customer, standing: pd.DataFrame) -> bool:
    if score > ESCALATE_BELOW or customer is None or pd.isna(customer) \
            or customer not in standing.index:
        return False
    who = standing.loc[customer]
    at_risk = who["churn_risk"] == "high" and who["segment_code"] not in GONE_SEGMENTS
    return who["segment_code"] in VALUABLE_SEGMENTS or bool(at_risk)


def _int_or_none(value):
    return None if value is None or pd.isna(value) else int(value)


def _float_or_none(value):
    return None if value is None or pd.isna(value) else float(value)
