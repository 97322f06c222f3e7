"""Ticket texts inside the e-mails they arrive in: two frames per language, shared by the
sentiment and helpdesk benches.

Short: "Hi," … "Best regards" and a signature. Long: a greeting, a line of context, order
details and a phone number, sign-off, signature. They check that the politeness and the
boilerplate of an e-mail change neither the verdict on what it says nor what it is about.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

WRAPPERS = Path(__file__).parent / "data" / "ticket_email_wrappers.csv"


def in_emails(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``df`` (columns ``language``, ``text``) as written, and with each text inside the two
    e-mail frames of its language."""
    variants = {"as written": df}
    for frame in pd.read_csv(WRAPPERS).itertuples():
        wrapped = variants.setdefault(frame.form, df.copy())
        rows = wrapped["language"] == frame.language
        wrapped.loc[rows, "text"] = (frame.before.replace("\\n", "\n") + "\n"
                                     + wrapped.loc[rows, "text"] + "\n"
                                     + frame.after.replace("\\n", "\n"))
    return variants
