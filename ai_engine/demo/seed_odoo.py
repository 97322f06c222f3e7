"""``ai-engine seed-odoo``: give an Odoo database a realistic sales history, through RPC.

History is imported the way a data migration would do it: orders are created as quotations
with their historical ``date_order`` and then marked confirmed (state ``sale``) in one write per
batch. The confirmation button would stamp every order with today's date and erase the history
we are seeding; creating lines on an already confirmed order would post a chatter message per
line (half of the import time).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

import numpy as np
import pandas as pd

from ai_engine.datasets.synthetic import generate_history, generate_products
from ai_engine.datasets.synthetic_tickets import generate_tickets
from ai_engine.errors import DataError
from ai_engine.odoo_client import OdooClient, OdooError
from ai_engine.odoo_rows import chunks

SEED_REF_PREFIX = "AICRM-SEED-"
SUPPORT_ADDRESS = "Support <support@example.com>"
TEAMS = ["Support Asia", "Support Europe"]  # Chinese tickets go to the first
# No chatter, tracking or follower work while importing history.
QUIET = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True,
         "mail_create_nosubscribe": True}

_FIRST = ["Anna", "Ben", "Chloé", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas",
          "Keiko", "Liam", "Mia", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tara"]
_LAST = ["Martin", "Schmidt", "Rossi", "García", "Dubois", "Novak", "Jensen", "Silva", "Kowalski",
         "Murphy", "Chen", "Okafor", "Larsen", "Moreau", "Weber", "Costa", "Nagy", "Ivanova"]
_WORD = ["Alpine", "Blue", "Cedar", "Delta", "Evergreen", "Falcon", "Granite", "Harbor",
         "Iris", "Juniper", "Kestrel", "Lumen", "Maple", "Nordic", "Orbit", "Pioneer", "Quartz",
         "River", "Summit", "Tidal", "Urban", "Vertex", "Willow", "Zenith"]
_KIND = ["Bakery", "Studio", "Consulting", "Logistics", "Dental", "Architects", "Hotel",
         "Garage", "Books", "Pharmacy", "Fitness", "Florist", "Print", "Labs", "Café"]
_FORM = ["Ltd", "GmbH", "SARL", "BV", "Inc", "SL", "AB", "Oy"]


def customer_names(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    picks = zip(rng.choice(_WORD, n), rng.choice(_KIND, n), rng.choice(_FORM, n), strict=True)
    return [f"{w} {k} {f} #{i + 1}" for i, (w, k, f) in enumerate(picks)]


def _create(client: OdooClient, model: str, vals_list: list[dict], batch_size: int) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(vals_list), batch_size):
        created = client.call(model, "create", vals_list[start:start + batch_size], context=QUIET)
        ids.extend(created if isinstance(created, list) else [created])
    return ids


def seed_products(client: OdooClient, products: pd.DataFrame) -> dict:
    categories = sorted(products["category"].unique())
    categ_ids = dict(zip(categories, _create(client, "product.category",
                                             [{"name": c} for c in categories], 500), strict=True))
    vals = [{"name": p.name, "categ_id": categ_ids[p.category], "list_price": float(p.list_price),
             "sale_ok": True, "type": "consu", "default_code": f"{SEED_REF_PREFIX}P{p.product_id}"}
            for p in products.itertuples()]
    return dict(zip(products["product_id"], _create(client, "product.product", vals, 1000),
                    strict=True))


def seed_customers(client: OdooClient, customer_ids: list, seed: int,
                   contact_share: float = 0.3) -> tuple[dict, dict]:
    """Companies, and for some of them a contact person who places part of their orders."""
    names = customer_names(len(customer_ids), seed)
    company_vals = [{"name": name, "is_company": True, "customer_rank": 1,
                     "ref": f"{SEED_REF_PREFIX}{cid}", "email": f"customer{cid}@example.com"}
                    for cid, name in zip(customer_ids, names, strict=True)]
    companies = dict(zip(customer_ids, _create(client, "res.partner", company_vals, 2000),
                         strict=True))
    rng = np.random.default_rng(seed + 1)
    with_contact = [cid for cid in customer_ids if rng.random() < contact_share]
    contact_vals = [{"name": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}", "type": "contact",
                     "parent_id": companies[cid], "email": f"contact{cid}@example.com"}
                    for cid in with_contact]
    contacts = dict(zip(with_contact, _create(client, "res.partner", contact_vals, 2000),
                        strict=True))
    return companies, contacts


def order_vals(tx: pd.DataFrame, companies: dict, contacts: dict, products: dict,
               company_id: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed + 2)
    vals_list = []
    for (order_id, customer_id), lines in tx.groupby(["order_id", "customer_id"], sort=False):
        partner = companies[customer_id]
        if customer_id in contacts and rng.random() < 0.5:
            partner = contacts[customer_id]
        quantity = lines["quantity"].fillna(1).abs().clip(lower=1)
        vals_list.append({
            "partner_id": partner,
            "company_id": company_id,
            "date_order": f"{lines['date'].iloc[0]:%Y-%m-%d} 10:00:00",
            "client_order_ref": f"{SEED_REF_PREFIX}{order_id}",
            "order_line": [
                (0, 0, {"product_id": products[product], "product_uom_qty": float(qty),
                        "price_unit": round(float(amount) / float(qty), 2), "tax_id": [(6, 0, [])]})
                for product, qty, amount in zip(lines["product_id"], quantity, lines["amount"],
                                                strict=True)
            ],
        })
    return vals_list


def seed_odoo(client: OdooClient, customers: int, seed: int = 0, years: float = 3.0,
              today: dt.date | None = None, progress: Callable[[str], None] = print,
              tickets: int | None = None) -> dict:
    """Create products, customers and confirmed orders, and helpdesk tickets when the helpdesk
    is installed (``tickets``, default one per two customers); returns counts."""
    if customers < 1:
        raise DataError("--customers must be at least 1.")
    with_helpdesk = helpdesk_installed(client)
    check_rights(client, with_helpdesk and bool(customers // 2 if tickets is None else tickets))
    already = client.call("res.partner", "search_count", [("ref", "=like", f"{SEED_REF_PREFIX}%")])
    if already:
        raise DataError(f"This database already holds {already} seeded partners (a finished or "
                        "an interrupted seed): remove them with `ai-engine seed-odoo --remove`, "
                        "or seed a fresh database, instead of mixing two histories.")
    [user] = client.call("res.users", "read", [client.uid], ["company_id", "partner_id"])
    company_id = user["company_id"][0]
    today = today or dt.date.today()
    start = today - dt.timedelta(days=round(365 * years))
    catalogue = generate_products(seed=seed)
    tx = generate_history(n_customers=customers, start=start, end=today, seed=seed,
                          products=catalogue)
    tx = tx[tx["product_id"].notna()]
    progress(f"Generated {len(tx)} order lines, {tx['order_id'].nunique()} orders")
    products = seed_products(client, catalogue)
    progress(f"Created {len(products)} products")
    companies, contacts = seed_customers(client, sorted(tx["customer_id"].unique()), seed)
    progress(f"Created {len(companies)} customers and {len(contacts)} contact persons")
    vals = order_vals(tx, companies, contacts, products, company_id, seed)
    done = 0
    for start_at in range(0, len(vals), 500):
        ids = _create(client, "sale.order", vals[start_at:start_at + 500], 500)
        client.call("sale.order", "write", ids, {"state": "sale"}, context=QUIET)
        done += len(ids)
        progress(f"Created {done}/{len(vals)} confirmed orders")
    counts = {"company_id": company_id, "products": len(products), "customers": len(companies),
              "contacts": len(contacts), "orders": done, "order_lines": len(tx)}
    n_tickets = customers // 2 if tickets is None else tickets
    if n_tickets and with_helpdesk:
        writers = {cid: contacts.get(cid, companies[cid]) for cid in companies}
        counts.update(seed_tickets(client, writers, n_tickets, user["partner_id"][0], seed,
                                   progress))
    return counts


# What seeding creates or changes, checked before anything is written.
NEEDED = [("product.product", "create"), ("res.partner", "create"), ("sale.order", "create"),
          ("sale.order", "write")]
NEEDED_FOR_TICKETS = [("helpdesk.ticket", "create"), ("helpdesk.ticket", "write"),
                      ("helpdesk.ticket.team", "create"), ("helpdesk.ticket.category", "create")]


def helpdesk_installed(client: OdooClient) -> bool:
    """Whether OCA helpdesk_mgmt is installed (asked of the model itself: reading ir.model
    needs rights a plain user does not have)."""
    try:
        client.call("helpdesk.ticket", "has_access", [], "read")
    except OdooError as exc:
        if "doesn't exist" in str(exc) or "does not exist" in str(exc):
            return False
        raise
    return True


def check_rights(client: OdooClient, with_tickets: bool) -> None:
    """Fail before writing anything when the user lacks a right seeding needs."""
    needed = NEEDED + (NEEDED_FOR_TICKETS if with_tickets else [])
    missing = [f"{operation} {model}" for model, operation in needed
               if not client.call(model, "has_access", [], operation)]
    if missing:
        raise DataError(f"seed-odoo needs to {', '.join(missing)}, which {client.settings.login} "
                        "may not: run it as an administrator (Sales / Administrator, and "
                        "Helpdesk / Manager for the tickets). Nothing was written.")


def remove_seed(client: OdooClient, progress: Callable[[str], None] = print) -> dict:
    """Delete what seed-odoo created (orders, tickets, contacts, customers, products: all
    marked AICRM-SEED-), a finished seed or one cut off halfway."""
    prefix = f"{SEED_REF_PREFIX}%"
    counts = {}
    orders = client.call("sale.order", "search", [("client_order_ref", "=like", prefix)])
    for chunk in chunks(orders, 500):
        client.call("sale.order", "write", chunk, {"state": "cancel"}, context=QUIET)
        client.call("sale.order", "unlink", chunk)
    counts["orders"] = len(orders)
    partners = client.call("res.partner", "search", [("ref", "=like", prefix)],
                           context={"active_test": False})
    if helpdesk_installed(client):
        tickets = client.call("helpdesk.ticket", "search",
                              [("partner_id", "child_of", partners)]) if partners else []
        for chunk in chunks(tickets, 500):
            client.call("helpdesk.ticket", "unlink", chunk)
        counts["tickets"] = len(tickets)
    # Contacts before their company; what other records still name (a quotation someone made
    # for a seeded customer) is archived instead, so nothing of theirs is lost.
    counts["customers_and_contacts"], counts["archived_partners"] = _unlink_or_archive(
        client, "res.partner", sorted(partners, reverse=True))
    products = client.call("product.product", "search", [("default_code", "=like", prefix)],
                           context={"active_test": False})
    counts["products"], counts["archived_products"] = _unlink_or_archive(
        client, "product.product", products)
    progress(f"Removed {counts}")
    return counts


def _unlink_or_archive(client: OdooClient, model: str, ids: list[int]) -> tuple[int, int]:
    """(deleted, archived): each batch deleted at once, else record by record, archiving what
    cannot go."""
    deleted = archived = 0
    for chunk in chunks(ids, 500):
        try:
            client.call(model, "unlink", chunk)
            deleted += len(chunk)
            continue
        except OdooError:
            pass
        for record_id in chunk:
            try:
                client.call(model, "unlink", [record_id])
                deleted += 1
            except OdooError:
                client.call(model, "write", [record_id], {"active": False})
                archived += 1
    return deleted, archived


def seed_tickets(client: OdooClient, contacts: dict, n_tickets: int, agent_partner_id: int,
                 seed: int = 0, progress: Callable[[str], None] = print) -> dict:
    """Helpdesk tickets from generated customers: solved ones filed under a category with the
    agent's answer in the chatter, open ones uncategorised, some with a second customer
    message. ``contacts``: generated customer id → the contact person who writes;
    ``agent_partner_id``: who answers (the seeding user)."""
    tickets = generate_tickets(n_tickets, customer_ids=sorted(contacts), seed=seed)
    writers = {rec["id"]: rec for rec in client.call(
        "res.partner", "read", sorted(set(contacts.values())), ["name", "email"])}
    teams = dict(zip(TEAMS, _create(client, "helpdesk.ticket.team",
                                    [{"name": name} for name in TEAMS], 10), strict=True))
    names = sorted(tickets["recorded_category"].unique())
    categories = dict(zip(names, _create(client, "helpdesk.ticket.category",
                                         [{"name": n} for n in names], 100), strict=True))
    vals = [{"name": t.subject, "description": f"<p>{html.escape(t.description)}</p>",
             "partner_id": contacts[t.customer_id],
             "partner_name": writers[contacts[t.customer_id]]["name"],
             "partner_email": writers[contacts[t.customer_id]]["email"],
             "team_id": teams[TEAMS[0] if t.language == "zh" else TEAMS[1]],
             "category_id": categories[t.recorded_category] if t.solved else False}
            for t in tickets.itertuples()]
    ids = _create(client, "helpdesk.ticket", vals, 500)
    progress(f"Created {len(ids)} helpdesk tickets")
    for ticket_id, t in zip(ids, tickets.itertuples(), strict=True):
        if t.followup:
            client.call("helpdesk.ticket", "message_post", [ticket_id],
                        body=html.escape(t.followup), author_id=contacts[t.customer_id],
                        message_type="comment", subtype_xmlid="mail.mt_comment", context=QUIET)
        if t.solved:  # the seeding user answers; its address may be unset in a new database
            client.call("helpdesk.ticket", "message_post", [ticket_id],
                        body=html.escape(t.reply), message_type="comment",
                        author_id=agent_partner_id, email_from=SUPPORT_ADDRESS,
                        subtype_xmlid="mail.mt_comment", context=QUIET)
    done = client.call("helpdesk.ticket.stage", "search", [("closed", "=", True)], limit=1)
    solved = [i for i, t in zip(ids, tickets.itertuples(), strict=True) if t.solved]
    if done and solved:
        client.call("helpdesk.ticket", "write", solved, {"stage_id": done[0]}, context=QUIET)
    progress(f"Answered and closed {len(solved)} tickets")
    return {"tickets": len(ids), "solved_tickets": len(solved)}
