"""The helpdesk extract against a stand-in for Odoo: the contact's language comes along."""

from ai_engine.helpdesk.extract import read
from ai_engine.helpdesk.job import ticket_insights
from ai_engine.odoo_client import OdooSettings
from ai_engine.text.sentiment import SentimentScorer

LANGS = {5: "en_US", 6: False, 7: "de_DE", 8: "zh_CN"}


def ticket(ticket_id, partner, commercial, description):
    return {"id": ticket_id, "partner_id": partner, "commercial_partner_id": commercial,
            "name": "Problem", "description": f"<p>{description}</p>", "category_id": False,
            "closed": False, "create_date": "2026-11-01 09:00:00",
            "write_date": "2026-11-01 09:00:00", "ai_sentiment_score": 0.0,
            "ai_scored_at": False}


class FakeOdoo:
    """Answers the reads ``helpdesk.extract.read`` makes; nothing is scored or published."""

    def __init__(self):
        self.partner_reads = []
        self.settings = OdooSettings(url="http://odoo.test", db="desk", login="engine",
                                     api_key="k")

    def search_read_batched(self, model, domain, fields, batch_size=5000, context=None):
        if model == "helpdesk.ticket":
            yield [ticket(1, [7, "Anna Meyer"], [5, "Acme"], "kaputt"),
                   ticket(2, False, [6, "Beta"], "kaputt"),  # no contact: the company's
                   ticket(3, [8, "Li Wei"], [8, "Li Wei"], "好")]

    def call(self, model, method, *args, **kwargs):
        if (model, method) == ("res.partner", "read"):
            ids, fields = args
            self.partner_reads.append((ids, fields))
            return [{"id": i, "lang": LANGS[i], "ai_exclude_profiling": False} for i in ids]
        return []


def test_the_contacts_language_is_read_in_batches_and_decides_an_unsure_text():
    client = FakeOdoo()
    inputs = read(client, company_id=1, params={}, log=lambda _: None)
    assert list(inputs.tickets["contact_id"]) == [7, 6, 8]
    assert inputs.tickets["partner_lang"].fillna("none").tolist() == ["de_DE", "none", "zh_CN"]
    assert ([6, 7, 8], ["lang"]) in client.partner_reads  # one read for all the contacts
    rows = ticket_insights(inputs.tickets, inputs.messages, inputs.standing, SentimentScorer(),
                           since=None).ticket_rows
    assert [r["language"] for r in rows] == ["de", "unknown", "zh"]
