"""Odoo → pandas: the helpdesk tickets of one company, their conversations and what the contact
insights say of their customers.

Tickets come from OCA ``helpdesk_mgmt`` (``helpdesk.ticket``). The customer's side of a ticket
is its description plus the messages its customers wrote; an agent's answer is a message (not an
internal note) written by an internal user. HTML is stripped here, once. ``partner_lang`` is the
language of the ticket's contact in Odoo (res.partner.lang, "de_DE"): sentiment uses it where the
text alone does not tell its language ("Danke!", "ok").
"""

from __future__ import annotations

import time

import pandas as pd

from ai_engine import model_cache
from ai_engine.helpdesk.job import DeskModels, Inputs
from ai_engine.insights.published import read_published
from ai_engine.odoo_client import OdooClient
from ai_engine.odoo_rows import chunks, m2o_id, read_by_ids
from ai_engine.text.clean import to_plain_text

TICKET_FIELDS = ["partner_id", "commercial_partner_id", "name", "description", "category_id",
                 "closed", "create_date", "write_date", "ai_sentiment_score", "ai_scored_at"]
TICKET_COLUMNS = ["ticket_id", "customer_id", "subject", "description", "category_id", "solved",
                  "created", "changed_at", "stored_sentiment", "scored_at", "contact_id"]
MESSAGE_COLUMNS = ["ticket_id", "date", "body", "from_agent"]
# The category model, its back-test and the index of answered tickets are learned from the
# whole desk once a day; the hourly runs in between read and analyse only what changed.
RELEARN_HOURS = 24


def read_tickets(client: OdooClient, company_id: int, batch_size: int = 2000,
                 domain: list | None = None) -> pd.DataFrame:
    """The company's tickets (those of ``domain`` too, when given)."""
    rows = [
        (rec["id"], m2o_id(rec["commercial_partner_id"]), rec["name"] or "",
         to_plain_text(rec["description"] or ""), m2o_id(rec["category_id"]),
         bool(rec["closed"]), rec["create_date"], rec["write_date"],
         rec["ai_sentiment_score"] if rec["ai_scored_at"] else None, rec["ai_scored_at"] or None,
         m2o_id(rec["partner_id"]) or m2o_id(rec["commercial_partner_id"]))
        for page in client.search_read_batched(
            "helpdesk.ticket", [("company_id", "in", [company_id, False]), *(domain or [])],
            TICKET_FIELDS, batch_size)
        for rec in page
    ]
    frame = pd.DataFrame(rows, columns=TICKET_COLUMNS)
    for column in ("created", "changed_at", "scored_at"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def read_changed_tickets(client: OdooClient, company_id: int, since: str) -> pd.DataFrame:
    """The tickets an hourly run may have to analyse: never analysed, edited since ``since``,
    or with a message written since (which messages count is the job's to say)."""
    messaged = {rec["res_id"] for rec in client.call(
        "mail.message", "search_read", [("model", "=", "helpdesk.ticket"), ("date", ">=", since),
                                        ("message_type", "in", ["comment", "email"])],
        fields=["res_id"])}
    return read_tickets(client, company_id, domain=[
        "|", "|", ("ai_scored_at", "=", False), ("write_date", ">=", since),
        ("id", "in", sorted(messaged))])


def agent_partner_ids(client: OdooClient) -> set[int]:
    """Partners of internal users: what they write on a ticket is the support side."""
    users = client.call("res.users", "search_read", [("share", "=", False)], fields=["partner_id"],
                        context={"active_test": False})
    return {user["partner_id"][0] for user in users if user["partner_id"]}


def read_messages(client: OdooClient, ticket_ids, batch_size: int = 2000) -> pd.DataFrame:
    """Public messages on the tickets (internal notes and system messages left out)."""
    internal = {rec["id"] for rec in client.call(
        "mail.message.subtype", "search_read", [("internal", "=", True)], fields=["id"])}
    agents = agent_partner_ids(client)
    rows = []
    for chunk in chunks(ticket_ids, batch_size):
        domain = [("model", "=", "helpdesk.ticket"), ("res_id", "in", chunk),
                  ("message_type", "in", ["comment", "email"])]
        for page in client.search_read_batched("mail.message", domain,
                                               ["res_id", "author_id", "date", "body",
                                                "subtype_id"], batch_size):
            rows.extend(
                (rec["res_id"], rec["date"], to_plain_text(rec["body"] or ""),
                 m2o_id(rec["author_id"]) in agents)
                for rec in page if m2o_id(rec["subtype_id"]) not in internal
            )
    frame = pd.DataFrame(rows, columns=MESSAGE_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.sort_values(["ticket_id", "date"], ignore_index=True)


def read_partner_languages(client: OdooClient, partner_ids, batch_size: int = 5000
                           ) -> dict[int, str]:
    """partner id → its language in Odoo (res.partner.lang: "de_DE"), where one is set."""
    return {rec["id"]: rec["lang"] for rec in read_by_ids(client, "res.partner", partner_ids,
                                                          ["lang"], batch_size) if rec["lang"]}


def read_customer_standing(client: OdooClient, company_id: int, customer_ids,
                           batch_size: int = 5000) -> pd.DataFrame:
    """customer id → segment code and churn risk (the company's contact insights) and the
    GDPR flag."""
    published = read_published(client, company_id, customer_ids, batch_size)
    excluded = {rec["id"] for rec in read_by_ids(client, "res.partner", customer_ids,
                                                 ["ai_exclude_profiling"], batch_size)
                if rec["ai_exclude_profiling"]}
    standing = published.reindex(pd.Index(customer_ids, name="customer_id"))
    standing["excluded"] = standing.index.isin(excluded)
    return standing[["segment_code", "churn_risk", "excluded"]]


def read(client: OdooClient, company_id: int, params: dict, log) -> Inputs:
    """The whole desk, or — when this worker learned the desk's models less than
    ``RELEARN_HOURS`` ago — only the tickets that may have changed since the last run."""
    path = model_cache.cache_path(client, company_id, "helpdesk")
    since = params.get("since")
    models, why = desk_models(path) if since else (None, "")
    started = time.perf_counter()
    if models is not None:
        tickets = read_changed_tickets(client, company_id, since)
    else:
        tickets = read_tickets(client, company_id)
        if why:
            log(f"The whole desk is read and its models learned again: {why}")
    if tickets.empty:
        return Inputs(tickets, models=models, models_path=path)
    messages = read_messages(client, tickets["ticket_id"])
    contacts = sorted(tickets["contact_id"].dropna().astype(int).unique())
    tickets["partner_lang"] = tickets["contact_id"].map(read_partner_languages(client, contacts))
    customers = sorted(tickets["customer_id"].dropna().astype(int).unique())
    standing = read_customer_standing(client, company_id, customers)
    log(f"Extracted {len(tickets)} {'new or changed ' if models else ''}tickets and "
        f"{len(messages)} messages in {time.perf_counter() - started:.1f}s")
    return Inputs(tickets, messages, standing, models=models, models_path=path)


def desk_models(path) -> tuple[DeskModels | None, str]:
    """The desk's models a full run kept, unless older than ``RELEARN_HOURS``."""
    models, why = model_cache.load(path)
    if models is None:
        return None, why
    hours = (pd.Timestamp.now(tz="UTC").tz_localize(None) - models.learned_at
             ).total_seconds() / 3600
    if not 0 <= hours <= RELEARN_HOURS:
        return None, f"its models are {hours:.0f} hours old (learned again every {RELEARN_HOURS})"
    return models, ""
