"""The real chain against a real Odoo 18: seed-odoo → queued run → engine → values on partners."""

import json

import pytest
from conftest import SEEDED_CUSTOMERS, cli_env
from typer.testing import CliRunner
from user_sees import first_line

from ai_engine import dispatch
from ai_engine.cli import app

pytestmark = pytest.mark.odoo


def scored_partners(client, fields):
    """The customers the main company's published insights name, with their contact fields."""
    insights = client.call("ai.partner.insight", "search_read", [], fields=["partner_id"])
    ids = [insight["partner_id"][0] for insight in insights]
    return client.call("res.partner", "read", ids, fields, context={"active_test": False})



def test_seed_creates_a_confirmed_history(admin, seeded):
    companies = admin.call("res.partner", "search_count",
                           [("ref", "=like", "AICRM-SEED-%"), ("is_company", "=", True)])
    assert companies == SEEDED_CUSTOMERS
    assert seeded["orders"] > SEEDED_CUSTOMERS
    dates = admin.call("sale.order", "read_group", [("state", "=", "sale")], ["date_order:min"],
                       [])
    assert dates[0]["date_order"] < "2025"  # history goes back years, not today's date


def test_run_command_scores_every_customer(odoo_server, engine, seeded):
    """`ai-engine run` as the engine's user, with its real API key."""
    result = CliRunner().invoke(app, ["run", "--task", "insights", "--json"],
                                env=cli_env(odoo_server, "ai-engine", odoo_server.api_key))
    assert result.exit_code == 0, result.output
    [outcome] = json.loads(result.output)
    assert (outcome["state"], outcome["error"]) == ("done", "")
    assert outcome["partners_scored"] == SEEDED_CUSTOMERS
    run_id = outcome["run_id"]
    [run] = engine.call("ai.run", "read", [run_id], ["state", "partners_scored", "metrics_json",
                                                     "log", "started_at", "finished_at"])
    assert run["state"] == "done" and run["partners_scored"] == SEEDED_CUSTOMERS
    assert '"horizon_days"' in run["metrics_json"] and "Wrote" in run["log"]
    assert "Published 150 rows of ai.partner.insight" in run["log"]

    partners = scored_partners(engine, ["is_company", "ai_segment_id", "ai_churn_probability",
                                        "ai_rfm_score", "ai_frequency", "ai_churn_reasons",
                                        "ai_churn_risk"])
    assert len(partners) == SEEDED_CUSTOMERS and all(p["is_company"] for p in partners)
    assert all(p["ai_segment_id"] and len(p["ai_rfm_score"]) == 3 for p in partners)
    assert all(0 <= p["ai_churn_probability"] <= 100 and p["ai_frequency"] >= 1
               for p in partners)
    assert len({p["ai_segment_id"][0] for p in partners}) >= 4
    assert any(p["ai_churn_reasons"] for p in partners)


def test_suggestions_reach_the_quotation(odoo_server, engine, admin, seeded):
    """`ai-engine run --task suggestions`, then a salesperson's quote shows suggestions to add,
    each with its reason in words."""
    result = CliRunner().invoke(app, ["run", "--task", "suggestions", "--json"],
                                env=cli_env(odoo_server, "ai-engine", odoo_server.api_key))
    assert result.exit_code == 0, result.output
    [outcome] = json.loads(result.output)
    assert outcome["state"] == "done" and outcome["metrics"]["suggestions"] > SEEDED_CUSTOMERS
    [customer] = admin.call("res.partner", "search", [("ref", "=like", "AICRM-SEED-%"),
                                                      ("is_company", "=", True)], limit=1)
    stored = admin.call("ai.customer.suggestion", "search_count",
                        [("partner_id", "=", customer)])
    assert stored > 0
    order = admin.call("sale.order", "create", {"partner_id": customer})
    [quote] = admin.call("sale.order", "read", [order], ["ai_suggestions"])
    suggestion = quote["ai_suggestions"][0]
    assert suggestion["reason"] and suggestion["product_id"]
    assert not suggestion["reason"].startswith("{")  # words, not the stored code
    admin.call("sale.order", "action_ai_add_suggestion", [order], suggestion["product_id"],
               suggestion["source"], suggestion["rank"])
    [line] = admin.call("sale.order.line", "search_read", [("order_id", "=", order)],
                        fields=["product_id", "price_unit"])
    assert line["product_id"][0] == suggestion["product_id"] and line["price_unit"] > 0


def test_seed_refuses_a_database_seeded_already(odoo_server, seeded, user_sees):
    result = CliRunner().invoke(app, ["seed-odoo", "--customers", "5"],
                                env=cli_env(odoo_server, "admin", "admin"))
    assert result.exit_code == 2 and "already holds" in result.output
    assert "Traceback" not in result.output
    user_sees("Set-up", "seed-odoo on a seeded database", first_line(result))


def test_wrong_api_key_is_one_clear_error(odoo_server, user_sees):
    result = CliRunner().invoke(app, ["run"], env=cli_env(odoo_server, "ai-engine", "wrong"))
    assert result.exit_code == 2 and "refused login" in result.output
    assert "Traceback" not in result.output
    user_sees("Set-up", "a wrong API key", first_line(result) + " (exit code 2)")


def test_frequency_matches_confirmed_orders(engine, admin, seeded):
    [partner] = scored_partners(engine, ["ai_frequency"])[:1]
    # Pure refund orders (net amount <= 0) are not purchases.
    orders = admin.call("sale.order", "search_count",
                        [("partner_id", "child_of", partner["id"]), ("state", "=", "sale"),
                         ("amount_untaxed", ">", 0)])
    assert partner["ai_frequency"] == orders


def test_excluded_partner_is_cleared_and_never_scored_again(engine, admin, seeded):
    [partner] = scored_partners(engine, ["name"])[:1]
    admin.call("res.partner", "write", [partner["id"]], {"ai_exclude_profiling": True})
    dispatch.queue_runs(engine)
    [outcome] = dispatch.run_pending(engine)
    assert outcome.state == "done" and outcome.partners_scored == SEEDED_CUSTOMERS - 1
    [after] = admin.call("res.partner", "read", [partner["id"]],
                         ["ai_scored_at", "ai_segment_id", "ai_churn_probability"])
    assert after["ai_scored_at"] is False and after["ai_segment_id"] is False


def test_empty_queue_claims_nothing(engine, seeded):
    assert dispatch.run_pending(engine) == []


def _tickets(client, domain, fields):
    return client.call("helpdesk.ticket", "search_read", domain, fields=fields)


def test_helpdesk_run_scores_tickets_then_only_what_changed(odoo_server, engine, admin,
                                                            seeded):
    """Seeded tickets get sentiment, a category suggestion and a reply; after a new customer
    message, the next run rescores that ticket only."""
    env = cli_env(odoo_server, "ai-engine", odoo_server.api_key)
    result = CliRunner().invoke(app, ["run", "--task", "helpdesk", "--json"], env=env)
    assert result.exit_code == 0, result.output
    [outcome] = json.loads(result.output)
    n_tickets = admin.call("helpdesk.ticket", "search_count", [])
    assert outcome["state"] == "done" and n_tickets >= SEEDED_CUSTOMERS // 2
    assert outcome["metrics"]["n_changed"] == n_tickets
    assert outcome["metrics"]["category_method"] == "classifier"
    fields = ["ai_sentiment", "ai_sentiment_score", "ai_language", "ai_category_id",
              "ai_reply", "ai_reply_source_id", "ai_similar_ticket_ids", "category_id",
              "partner_id"]
    scored = _tickets(admin, [("ai_scored_at", "!=", False)], fields)
    assert len(scored) == n_tickets
    assert {t["ai_sentiment"] for t in scored} == {"negative", "neutral", "positive"}
    assert {"en", "zh"} <= {t["ai_language"] for t in scored}
    open_tickets = [t for t in scored if not t["category_id"]]
    assert open_tickets and all(t["ai_category_id"] for t in open_tickets)
    assert all(t["ai_reply"] and t["ai_reply_source_id"] for t in open_tickets)
    assert all(len(t["ai_similar_ticket_ids"]) <= 3 for t in scored)
    customers = list({t["partner_id"][0] for t in scored if t["partner_id"]})
    moods = admin.call("res.partner", "read", customers, ["ai_ticket_mood", "ai_ticket_count"])
    assert any(m["ai_ticket_mood"] for m in moods) and all(m["ai_ticket_count"] for m in moods)

    # A happy ticket turns sour: the customer writes again.
    happy = next(t for t in open_tickets if t["ai_sentiment"] != "negative")
    admin.call("helpdesk.ticket", "message_post", [happy["id"]],
               body="This is unacceptable. Terrible service, I am furious and want a refund!",
               author_id=happy["partner_id"][0], message_type="comment",
               subtype_xmlid="mail.mt_comment")
    result = CliRunner().invoke(app, ["run", "--task", "helpdesk", "--json"], env=env)
    [outcome] = json.loads(result.output)
    assert outcome["state"] == "done" and outcome["metrics"]["n_changed"] == 1
    # Read only what may have changed, with the desk's models of the first run.
    [run] = admin.call("ai.run", "read", [outcome["run_id"]], ["log"])
    assert "new or changed tickets and" in run["log"] and "models learned at" in run["log"]
    assert outcome["metrics"]["n_tickets"] == n_tickets
    [after] = _tickets(admin, [("id", "=", happy["id"])], ["ai_sentiment_score"])
    assert after["ai_sentiment_score"] < happy["ai_sentiment_score"]


def test_email_reply_is_read_without_the_answer_it_quotes(odoo_server, engine, admin, seeded):
    """A customer answers by e-mail through Odoo's mail gateway with a plain request; the reply
    quotes the agent's warm answer below it. Only the customer's words set the mood: read with
    the quote, the ticket came out positive."""
    from email.mime.text import MIMEText

    partner = admin.call("res.partner", "create",
                         {"name": "Quoting Customer", "email": "quoting@example.com"})
    ticket = admin.call("helpdesk.ticket", "create",
                        {"name": "Invoice S00107", "description": "<p>Order S00107</p>",
                         "partner_id": partner})
    mime = MIMEText(
        '<div>Please send us the invoice for order S00107 as a PDF.</div>'
        '<div class="gmail_quote"><div class="gmail_attr">On Mon, '
        'Support wrote:</div><blockquote class="gmail_quote">We are so happy to help! Thank you '
        'so much for your wonderful patience, it is a real pleasure.</blockquote></div>', "html")
    mime["From"], mime["To"] = "Quoting Customer <quoting@example.com>", "help@example.com"
    mime["Subject"], mime["Message-Id"] = "Re: Invoice S00107", "<quote-test@example.com>"
    admin.call("mail.thread", "message_process", "helpdesk.ticket", mime.as_string(),
               thread_id=ticket)
    env = cli_env(odoo_server, "ai-engine", odoo_server.api_key)
    result = CliRunner().invoke(app, ["run", "--task", "helpdesk", "--json"], env=env)
    assert result.exit_code == 0, result.output
    [after] = _tickets(admin, [("id", "=", ticket)], ["ai_sentiment", "ai_scored_at"])
    assert after["ai_scored_at"] and after["ai_sentiment"] == "neutral"


def test_setup_odoo_makes_a_working_engine_user_in_one_step(odoo_server, tmp_path, user_sees):
    env_file = tmp_path / "ai-engine.env"
    result = CliRunner().invoke(app, ["setup-odoo", "--engine-login", "ai-engine-2",
                                      "--env-file", str(env_file)],
                                env=cli_env(odoo_server, "admin", "admin"))
    assert result.exit_code == 0, result.output
    assert "logs in" in result.output and "AI_ENGINE_ODOO_API_KEY" not in result.output
    assert env_file.stat().st_mode & 0o777 == 0o600
    settings = dict(line.split("=", 1) for line in env_file.read_text().split())
    engine = odoo_server.client(settings["AI_ENGINE_ODOO_LOGIN"],
                                settings["AI_ENGINE_ODOO_API_KEY"])
    assert engine.call("ai.run", "ai_claim_next", "setup-check", ["no-such-task"]) is False
    user = engine.call("res.users", "read", [engine.uid], ["groups_id"])[0]
    groups = engine.call("res.groups", "read", user["groups_id"], ["full_name"])
    assert not any("Sales" in group["full_name"] for group in groups)
    user_sees("Set-up", "setup-odoo as the administrator", result.output)


def test_seed_odoo_as_the_engine_says_which_rights_it_lacks(odoo_server, admin, seeded,
                                                           user_sees):
    before = admin.call("res.partner", "search_count", [])
    result = CliRunner().invoke(app, ["seed-odoo", "--customers", "5"],
                                env=cli_env(odoo_server, "ai-engine", odoo_server.api_key))
    assert result.exit_code == 2 and "needs to create product.product" in result.output
    assert "Nothing was written" in result.output and "Traceback" not in result.output
    assert admin.call("res.partner", "search_count", []) == before
    user_sees("Set-up", "seed-odoo as the engine user", first_line(result))


@pytest.mark.empties_seed
def test_seed_odoo_remove_takes_the_seed_away(odoo_server, admin, seeded):
    """Last of the session: it empties the seeded history."""
    env = cli_env(odoo_server, "admin", "admin")
    result = CliRunner().invoke(app, ["seed-odoo", "--remove"], env=env)
    assert result.exit_code == 0, result.output
    # What the tests made for seeded customers (a quotation) keeps them, archived.
    for model, domain in (("res.partner", [("ref", "=like", "AICRM-SEED-%")]),
                          ("sale.order", [("client_order_ref", "=like", "AICRM-SEED-%")]),
                          ("product.product", [("default_code", "=like", "AICRM-SEED-%")])):
        assert admin.call(model, "search_count", domain) == 0, model
    assert admin.call("sale.order", "search_count", [("client_order_ref", "=like",
                                                      "AICRM-SEED-%")]) == 0
    again = CliRunner().invoke(app, ["seed-odoo", "--customers", "5", "--tickets", "0"],
                               env=env)
    assert again.exit_code == 0, again.output  # a removed seed leaves room for a new one
