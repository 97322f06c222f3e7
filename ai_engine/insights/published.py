"""The contact insights a company has published, for the features that read them: suggestions
("customers like this one") and helpdesk (escalation). Both run after the company's insights
run (``contract.TASK_NEEDS``)."""

from __future__ import annotations

import pandas as pd

from ai_engine.odoo_client import OdooClient, many2one_load
from ai_engine.odoo_rows import DEFAULT_BATCH_SIZE, chunks, m2o_id

COLUMNS = ["customer_id", "segment_code", "segment", "churn_risk"]


def read_published(client: OdooClient, company_id: int, customer_ids,
                   batch_size: int = DEFAULT_BATCH_SIZE) -> pd.DataFrame:
    """customer id → segment code and name and churn risk, in ``company_id`` (customers not
    scored there are absent)."""
    segments = {rec["id"]: (rec["code"], rec["name"]) for rec in client.call(
        "ai.segment", "search_read", [], fields=["code", "name"],
        context={"active_test": False, "lang": "en_US"})}
    rows = []
    for chunk in chunks(customer_ids, batch_size):
        rows += [(m2o_id(rec["partner_id"]), *segments.get(m2o_id(rec["segment_id"]),
                                                           (None, None)),
                  rec["churn_risk"] or None)
                 for rec in client.call(
                     "ai.partner.insight", "search_read",
                     [("company_id", "=", company_id), ("partner_id", "in", chunk)],
                     fields=["partner_id", "segment_id", "churn_risk"],
                     load=many2one_load(False))]
    return pd.DataFrame(rows, columns=COLUMNS).set_index("customer_id")
