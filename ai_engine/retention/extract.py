"""Odoo → frames for a retention run: the company's sales, its published insights with each
customer's salesperson, and its past waves with their customers."""

from __future__ import annotations

import pandas as pd

from ai_engine.odoo_client import OdooClient
from ai_engine.odoo_rows import m2o_id, read_by_ids
from ai_engine.retention.job import CUSTOMER_COLUMNS, Inputs
from ai_engine.shared_sales import company_transactions


def read_customers(client: OdooClient, company_id: int, batch_size: int = 5000) -> pd.DataFrame:
    """The company's published insights (churn probability 0..1, risk, value, segment code)
    and each customer's salesperson and objection to profiling."""
    segments = {rec["id"]: rec["code"] for rec in client.call(
        "ai.segment", "search_read", [], fields=["code"], context={"active_test": False})}
    rows = [(m2o_id(rec["partner_id"]), rec["churn_probability"] / 100.0,
             rec["churn_risk"] or None, rec["clv"], rec["monetary"],
             segments.get(m2o_id(rec["segment_id"])))
            for page in client.search_read_batched(
                "ai.partner.insight", [("company_id", "=", company_id)],
                ["partner_id", "churn_probability", "churn_risk", "clv", "monetary",
                 "segment_id"], batch_size)
            for rec in page]
    frame = pd.DataFrame(rows, columns=CUSTOMER_COLUMNS[:1] + CUSTOMER_COLUMNS[2:-1])
    partners = {rec["id"]: (m2o_id(rec["user_id"]), bool(rec["ai_exclude_profiling"]))
                for rec in read_by_ids(client, "res.partner", frame["customer_id"],
                                       ["user_id", "ai_exclude_profiling"], batch_size)}
    frame["user_id"] = frame["customer_id"].map(lambda c: partners.get(c, (None, True))[0])
    frame["excluded"] = frame["customer_id"].map(lambda c: partners.get(c, (None, True))[1])
    return frame[CUSTOMER_COLUMNS]


def read_waves(client: OdooClient, company_id: int, batch_size: int = 5000
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(waves: ``wave_id, date, horizon_days``; members: ``member_id, wave_id, customer_id,
    assignment, activity_done``)."""
    waves = pd.DataFrame(
        [(rec["id"], rec["date"], rec["horizon_days"]) for rec in client.call(
            "ai.retention.wave", "search_read", [("company_id", "=", company_id)],
            fields=["date", "horizon_days"])],
        columns=["wave_id", "date", "horizon_days"])
    members = pd.DataFrame(
        [(rec["id"], m2o_id(rec["wave_id"]), m2o_id(rec["partner_id"]), rec["assignment"],
          rec["activity_state"] == "done")
         for page in client.search_read_batched(
             "ai.retention.wave.member", [("company_id", "=", company_id)],
             ["wave_id", "partner_id", "assignment", "activity_state"], batch_size)
         for rec in page],
        columns=["member_id", "wave_id", "customer_id", "assignment", "activity_done"])
    return waves, members


def read(client: OdooClient, company_id: int, params: dict, log) -> Inputs:
    tx = company_transactions(client, company_id, params.get("company_orders"), log)
    customers = read_customers(client, company_id)
    waves, members = read_waves(client, company_id)
    log(f"Extracted {len(tx)} order lines, {len(customers)} customers' insights, "
        f"{len(waves)} past waves")
    return Inputs(tx, customers, waves, members)
