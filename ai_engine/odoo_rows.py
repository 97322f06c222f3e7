"""What every feature's extract and load steps share: records read by id in pages, the rows of a
run written in batches, and values JSON-RPC can carry."""

from __future__ import annotations

import math
import queue
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from ai_engine.odoo_client import OdooClient, many2one_load

DEFAULT_BATCH_SIZE = 5000
# Calls of a bulk write in flight at once, each on a connection of its own: while PostgreSQL
# inserts one batch (half of a batch's time, mostly six foreign keys checked per row), Odoo
# reads and checks another. On 2 cores, 140,000 suggestion rows went at 14-15k rows/s in one
# stream, 19k in two, 21k in three (bench/reports/write_streams.md).
WRITE_STREAMS = 3


def m2o_id(value) -> int | None:
    """The id of a many2one as ``read`` returns it (``[id, name]``, the id alone when read
    without names, or False when empty)."""
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    return value or None


# What ``ai_write`` takes: a list of row dicts, or the same rows as columns ({key: [values]}),
# the compact form for bulk results (each key once per batch, not once per row).
Rows = list | dict


def row_count(rows: Rows) -> int:
    if isinstance(rows, dict):
        return len(next(iter(rows.values()), []))
    return len(rows)


def batches(rows: Rows, size: int) -> Iterator[Rows]:
    for start in range(0, row_count(rows), size):
        if isinstance(rows, dict):
            yield {key: values[start:start + size] for key, values in rows.items()}
        else:
            yield rows[start:start + size]


def chunks(ids, size: int) -> Iterator[list[int]]:
    """Plain ints in pages: numpy integers do not travel over JSON-RPC."""
    return batches([int(i) for i in ids], size)


def read_by_ids(client: OdooClient, model: str, ids, fields: list[str],
                batch_size: int = DEFAULT_BATCH_SIZE, names: bool = False) -> list[dict]:
    """``read`` in pages, archived records included (history may name them); a many2one
    reads as its id unless ``names``."""
    return [rec for chunk in chunks(ids, batch_size)
            for rec in client.call(model, "read", chunk, fields, context={"active_test": False},
                                   load=many2one_load(names))]


def selection_values(client: OdooClient, model: str, field: str) -> list[str]:
    """The values a selection field of this Odoo accepts (modules installed may add some)."""
    described = client.call(model, "fields_get", [field], attributes=["selection"])
    return [value for value, _label in described[field]["selection"]]


def json_value(value):
    """NaN and numpy scalars do not survive JSON-RPC: turn them into plain Python values."""
    if isinstance(value, dict):
        return {key: json_value(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def columns(frame, keys: list[str]) -> dict[str, list]:
    """The frame's columns ``keys`` as lists of plain values, ready for JSON-RPC."""
    return {key: _plain_values(frame[key]) for key in keys}


def _plain_values(series) -> list:
    # Whole columns of numbers convert at C speed; only objects need a look at each value.
    if series.dtype.kind in "biu" and not series.hasnans:
        return series.tolist()
    if series.dtype.kind == "f":
        return [None if math.isnan(v) else v for v in series.tolist()]
    return [json_value(v) for v in series.tolist()]


def write_rows(client: OdooClient, model: str, run_id: int, rows: Rows,
               batch_size: int = DEFAULT_BATCH_SIZE, streams: int = 1) -> dict:
    """``model.ai_write(run_id, batch)`` for every batch of ``rows`` (each all or nothing on
    the server); the counts it answers, summed. ``streams``: as ``write_frame``'s."""
    return _sent(client, model, run_id, batches(rows, batch_size),
                 streams if row_count(rows) > batch_size else 1)


def write_frame(client: OdooClient, model: str, run_id: int, frame, to_columns,
                batch_size: int = DEFAULT_BATCH_SIZE, streams: int = 1) -> dict:
    """``write_rows`` of a frame, made into columns one batch at a time (``to_columns``): a
    run's millions of suggestions never exist twice, as a frame and as lists, at once.
    ``streams`` > 1: that many calls in flight at once (``WRITE_STREAMS``); a failed batch
    stops the sending, the calls under way finish, and its error is raised."""
    pieces = (to_columns(frame.iloc[start:start + batch_size])
              for start in range(0, len(frame), batch_size))
    return _sent(client, model, run_id, pieces, streams if len(frame) > batch_size else 1)


def _sent(client: OdooClient, model: str, run_id: int, pieces: Iterable, streams: int) -> dict:
    """The summed answers of ``ai_write`` for ``pieces``: one after the other on the client
    itself (one stream, or a single piece: no other connection to open), else in streams."""
    if streams <= 1:
        return _summed(client.call(model, "ai_write", run_id, piece) for piece in pieces)
    return _summed(_in_streams(client, streams, model, run_id, pieces))


def _in_streams(client: OdooClient, streams: int, model: str, run_id: int,
                pieces: Iterable) -> Iterator[dict]:
    """``ai_write``'s answers for ``pieces``, ``streams`` calls in flight, each on a client of
    its own (one client makes one call at a time); at most ``streams`` pieces made at once."""
    idle: queue.SimpleQueue = queue.SimpleQueue()
    for each in [client, *(client.twin() for _ in range(streams - 1))]:
        idle.put(each)

    def send(piece):
        sender = idle.get()
        try:
            return sender.call(model, "ai_write", run_id, piece)
        finally:
            idle.put(sender)

    with ThreadPoolExecutor(streams, thread_name_prefix="ai-write") as pool:
        pending: set = set()
        for piece in pieces:
            if len(pending) >= streams:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (future.result() for future in done)
            pending.add(pool.submit(send, piece))
        yield from (future.result() for future in wait(pending)[0])


def _summed(answers) -> dict:
    """The counts ``ai_write`` answered for each batch, added key by key."""
    totals: dict = {}
    for answer in answers:
        for key, count in answer.items():
            totals[key] = totals.get(key, 0) + count
    return totals
