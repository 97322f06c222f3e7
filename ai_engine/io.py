"""Read and validate the transactions table, write the scores table (see docs/ARCHITECTURE.md)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ai_engine.errors import DataError

REQUIRED_COLUMNS = ["customer_id", "order_id", "date", "amount"]
OPTIONAL_COLUMNS = ["product_id", "quantity"]
TRANSACTION_COLUMNS = ["customer_id", "order_id", "date", "product_id", "quantity", "amount"]
SCORE_COLUMNS = ["customer_id", "recency_days", "frequency", "monetary", "rfm_score", "segment",
                 "cluster", "churn_probability", "reasons",
                 # customer value (insights.value): over --horizon-days, and the next 12 months
                 "expected_orders", "expected_revenue", "next_order_date", "clv_12m", "clv_low",
                 "clv_high"]
TEXT_COLUMNS = ["id", "text"]
SENTIMENT_COLUMNS = ["id", "label", "score", "language"]
_SHOWN = 5  # bad values quoted in an error message
# No amount of one order line is this large: a bigger one is a typo or a broken export.
MAX_AMOUNT = 1e12
# Sales before this are typos (a year 0024 for 2024), as are sales after today.
EARLIEST_DATE = pd.Timestamp("1950-01-01")
DELIMITERS = ",;\t|"
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?\s*$")


def notes_of(frame: pd.DataFrame) -> list[str]:
    """What reading and checking the table fixed or dropped, one line each."""
    return list(frame.attrs.get("notes", []))


def _noted(frame: pd.DataFrame, *notes: str) -> pd.DataFrame:
    frame.attrs["notes"] = notes_of(frame) + [n for n in notes if n]
    return frame


def _where(rows: pd.Index, line_offset: int | None) -> str:
    """'lines 3, 7' for a CSV (header is line 1) or 'rows 1, 5' for an in-memory frame."""
    shown = list(rows[:_SHOWN])
    more = f" and {len(rows) - _SHOWN} more" if len(rows) > _SHOWN else ""
    word = ("row" if line_offset is None else "line") + ("s" if len(rows) > 1 else "")
    numbers = [str(i) if line_offset is None else str(int(i) + line_offset) for i in shown]
    return f"{word} {', '.join(numbers)}{more}"


def _bad_values(raw: pd.Series, bad: pd.Series, what: str, line_offset: int | None) -> DataError:
    rows = raw.index[bad]
    quoted = ", ".join(repr(str(v)) for v in raw[bad].iloc[:_SHOWN])
    return DataError(f"{bad.sum()} value(s) in column '{raw.name}' are not {what}: {quoted} "
                     f"(at {_where(rows, line_offset)}).")


def _parse_dates(raw: pd.Series, line_offset: int | None) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(raw):
        parsed = raw.dt.tz_localize(None) if raw.dt.tz is not None else raw
    else:
        parsed = pd.to_datetime(raw.astype("string"), errors="coerce", format="ISO8601")
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert(None)
    bad = parsed.isna()
    if bad.any():
        raise _bad_values(raw, bad, "dates like 2024-03-31", line_offset)
    return parsed.dt.normalize().astype("datetime64[ns]")


def validate_transactions(df: pd.DataFrame, line_offset: int | None = None) -> pd.DataFrame:
    """Check the contract and return a clean copy: typed dates/amounts, optional columns present.

    ``line_offset`` turns row positions into file line numbers in messages (2 for a CSV).
    """
    if df is None or len(df.columns) == 0:
        raise DataError("The transactions table is empty: it has no columns and no rows.")
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"The transactions table is missing the column(s) {', '.join(missing)}. "
                        f"Expected columns: {','.join(TRANSACTION_COLUMNS)}.")
    if df.empty:
        raise DataError("The transactions table has its columns but no rows.")
    out = df.reset_index(drop=True).copy()
    for column in OPTIONAL_COLUMNS:
        if column not in out.columns:
            out[column] = pd.NA
    for column in ("customer_id", "date", "amount"):
        empty = out[column].isna() | (out[column].astype(str).str.strip() == "")
        if empty.any():
            raise DataError(f"{empty.sum()} row(s) have no value in column '{column}' "
                            f"(at {_where(out.index[empty], line_offset)}).")
    out["date"] = _parse_dates(out["date"], line_offset)
    out["amount"] = _numbers(out, "amount", line_offset, required=True)
    out["quantity"] = _numbers(out, "quantity", line_offset, required=False)
    # An order line without an order number still belongs to that customer's order of that day.
    no_order = out["order_id"].isna() | (out["order_id"].astype(str).str.strip() == "")
    if no_order.any():
        out["order_id"] = out["order_id"].astype(object)
        out.loc[no_order, "order_id"] = (out.loc[no_order, "customer_id"].astype(str) + "@"
                                         + out.loc[no_order, "date"].dt.strftime("%Y-%m-%d"))
    out = _without_duplicates(_within_dates(out, line_offset))
    if out.empty:
        raise DataError("No transaction is left once lines dated before 1950 or in the future "
                        "are set aside.")
    return out[TRANSACTION_COLUMNS + [c for c in out.columns if c not in TRANSACTION_COLUMNS]]


def _numbers(out: pd.DataFrame, column: str, line_offset: int | None, required: bool
             ) -> pd.Series:
    """A numeric column: decimal commas read when every unreadable value is one ("12,50",
    "1.234,50"); infinite or absurdly large values are errors, not figures."""
    raw = out[column]
    given = raw.notna() & (raw.astype(str).str.strip() != "")
    parsed = pd.to_numeric(raw, errors="coerce")
    bad = parsed.isna() & given
    if bad.any() and raw[bad].astype(str).str.match(_DECIMAL_COMMA).all():
        fixed = raw[bad].astype(str).str.strip().str.replace(".", "", regex=False)
        parsed[bad] = pd.to_numeric(fixed.str.replace(",", ".", regex=False))
        _noted(out, f"{int(bad.sum())} values of column '{column}' had a decimal comma "
                    "(read 12,50 as 12.50)")
        bad = parsed.isna() & given
    if bad.any():
        raise _bad_values(raw, bad, "numbers like 12.50" if required else "numbers", line_offset)
    absurd = given & ~np.isfinite(parsed.fillna(0)) | (parsed.abs() > MAX_AMOUNT)
    if absurd.any():
        raise _bad_values(raw, absurd, f"finite numbers below {MAX_AMOUNT:,.0f}", line_offset)
    return parsed.astype(float)


def _within_dates(out: pd.DataFrame, line_offset: int | None) -> pd.DataFrame:
    """Lines dated in the future or before 1950 are typos: set aside, said in a note (left in,
    one future typo would move "today" there and make every customer look gone)."""
    today = pd.Timestamp(dt.date.today())
    outside = (out["date"] > today) | (out["date"] < EARLIEST_DATE)
    if not outside.any():
        return out
    kept = out[~outside].copy()
    kept.attrs = out.attrs
    return _noted(kept, f"{int(outside.sum())} lines dated after today or before 1950 were "
                        f"left out as typos ({_where(out.index[outside], line_offset)})")


def _without_duplicates(out: pd.DataFrame) -> pd.DataFrame:
    """Identical lines (every column the same) are one line exported twice."""
    twice = out.duplicated(keep="first")
    if not twice.any():
        return out
    kept = out[~twice].reset_index(drop=True)
    kept.attrs = out.attrs
    return _noted(kept, f"{int(twice.sum())} duplicate lines (identical in every column) were "
                        "counted once")


def _encoding(head: bytes) -> tuple[str, str | None]:
    """The file's encoding and a note when it is not UTF-8: BOMs first, then UTF-8 itself,
    else Windows-1252 (what spreadsheets export in Western Europe)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "read as UTF-16"
    try:
        head.decode("utf-8-sig")
        return "utf-8-sig", None
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:  # a character cut at the end of the sample
            return "utf-8-sig", None
        return "cp1252", "not UTF-8: read as Windows-1252"


def _delimiter(text: str) -> str:
    """The field separator of the header line: comma, semicolon, tab or bar."""
    header = text.splitlines()[0] if text else ""
    try:
        return csv.Sniffer().sniff(header, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def read_csv_file(path: str | Path, what: str, extra_values_hint: str,
                  **read_csv_kwargs) -> pd.DataFrame:
    """Read a CSV whose problems (missing, empty, unreadable, ragged) become one ``DataError``
    naming the file as ``what`` ("transactions"); header names are stripped and lower-cased.
    Semicolon-, tab- or bar-separated files and files in UTF-16 or Windows-1252 are read too,
    with a note."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{what.capitalize()} file not found: {path}")
    if path.stat().st_size == 0:
        raise DataError(f"The {what} file {path} is empty.")
    with path.open("rb") as handle:
        head = handle.read(65536)
    encoding, encoding_note = _encoding(head)
    sep = _delimiter(head.decode(encoding, errors="replace"))
    notes = [encoding_note and f"{path.name}: {encoding_note}",
             sep != "," and f"{path.name}: {_SEPARATORS[sep]}-separated"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(path, index_col=False, sep=sep, encoding=encoding,
                             **read_csv_kwargs)
    except pd.errors.ParserWarning as exc:
        raise DataError(f"Some lines of {path} have more values than the header has columns "
                        f"({extra_values_hint}).") from exc
    except pd.errors.EmptyDataError as exc:
        raise DataError(f"The {what} file {path} is empty.") from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"The {what} file {path} is not a readable CSV file: {exc}") from exc
    df.columns = [str(c).strip().lower() for c in df.columns]
    return _noted(df, *[note for note in notes if note])


_SEPARATORS = {";": "read as semicolon", "\t": "read as tab", "|": "read as bar"}


def read_transactions(path: str | Path) -> pd.DataFrame:
    """Read a transactions CSV (``customer_id,order_id,date,product_id,quantity,amount``)."""
    # Ids stay text so '00042' keeps its leading zeros.
    df = read_csv_file(path, "transactions",
                       "a decimal comma such as 12,5? Use 12.5 or quote the value",
                       dtype={"customer_id": str, "order_id": str, "product_id": str},
                       skipinitialspace=True)
    try:
        return validate_transactions(df, line_offset=2)
    except DataError as exc:
        raise DataError(f"{path}: {exc}") from None


def read_texts(path: str | Path) -> pd.DataFrame:
    """Read a texts CSV (``id,text``, the sentiment command's input): ids and texts as text,
    an empty text stays "" (it is scored neutral), a row without an id is an error."""
    df = read_csv_file(path, "texts", "a text with a comma must be quoted",
                       dtype=str, keep_default_na=False)
    missing = [c for c in TEXT_COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"The texts file {path} is missing the column(s) {', '.join(missing)}. "
                        f"Expected columns: {','.join(TEXT_COLUMNS)}.")
    no_id = df["id"].str.strip() == ""
    if no_id.any():
        raise DataError(f"{no_id.sum()} row(s) of {path} have no id "
                        f"(at {_where(df.index[no_id], 2)}).")
    same = df.duplicated(TEXT_COLUMNS)
    clashing = df[~same].duplicated("id", keep=False)
    if clashing.any():
        raise DataError(f"Ids of {path} stand for different texts: "
                        f"{', '.join(df.loc[clashing[clashing].index, 'id'].unique()[:_SHOWN])} "
                        f"(at {_where(clashing[clashing].index, 2)}).")
    texts = df.loc[~same, TEXT_COLUMNS].reset_index(drop=True)
    texts.attrs = df.attrs
    return _noted(texts, same.any() and f"{int(same.sum())} rows repeating an id and its text "
                                         "were scored once")


def write_scores(scores: pd.DataFrame, path: str | Path, all_columns: bool = False) -> Path:
    """Write the scores CSV: the contract columns, or every flat column with ``all_columns``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = SCORE_COLUMNS
    if all_columns:
        # The explanations as codes are for Odoo; the CSV has them in words already.
        columns = SCORE_COLUMNS + [c for c in scores.columns if c not in SCORE_COLUMNS
                                   and c not in ("churn_reasons_list", "cluster_code",
                                                 "value_reasons")]
    scores[columns].to_csv(path, index=False, float_format="%.6g")
    return path
