"""CDNOW (Fader & Hardie's classic CD-store panel) read from the files of the ``lifetimes`` wheel.

``lifetimes`` is never imported (it drags in old dependencies); we only locate its data files.
Master file: header line, then whitespace-separated ``customer date(yyyymmdd) cds dollars``
(23,570 customers who first bought in Q1 1997, purchases until 1998-06-30). The sample file has
no header and an extra second column (the customer's index in the sample).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from ai_engine.errors import DataError


def cdnow_path(sample: bool = False) -> Path:
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        raise DataError("The CDNOW data ships with the 'lifetimes' package, which is not "
                        "installed. Install it with: pip install 'lifetimes==0.11.3'")
    name = "CDNOW_sample.txt" if sample else "CDNOW_master.txt"
    path = Path(list(spec.submodule_search_locations)[0]) / "datasets" / name
    if not path.is_file():
        raise DataError(f"{name} is missing from the installed lifetimes package ({path}).")
    return path


def load_cdnow(sample: bool = False) -> pd.DataFrame:
    """Transactions frame; one order per customer and day, ``product_id`` empty."""
    path = cdnow_path(sample)
    names = (["customer_id", "sample_index", "day", "quantity", "amount"] if sample
             else ["customer_id", "day", "quantity", "amount"])
    raw = pd.read_csv(path, sep=r"\s+", header=None, names=names, skiprows=0 if sample else 1,
                      dtype={"customer_id": str, "day": str})
    date = pd.to_datetime(raw["day"], format="%Y%m%d", errors="coerce")
    if date.isna().any() or raw[["quantity", "amount"]].isna().any().any():
        raise DataError(f"{path} does not have the expected CDNOW layout "
                        "(customer, yyyymmdd date, quantity, amount).")
    return pd.DataFrame({
        "customer_id": raw["customer_id"],
        "order_id": raw["customer_id"] + "-" + raw["day"],
        "date": date,
        "product_id": pd.NA,
        "quantity": raw["quantity"].astype(float),
        "amount": raw["amount"].astype(float),
    })
