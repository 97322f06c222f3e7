from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from odoo.addons.ai_crm.tests.common import AiCrmCommon


@tagged("post_install", "-at_install")
class TestHelpdeskInsights(AiCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(
            cls.env, "ai_test_agent", groups="helpdesk_mgmt.group_helpdesk_user",
            company_id=cls.company.id,
        )
        Category = cls.env["helpdesk.ticket.category"]
        cls.billing = Category.create({"name": "AI Test Billing"})
        cls.delivery = Category.create({"name": "AI Test Delivery"})
        cls.other_category = Category.create({
            "name": "AI Test Other Co", "company_id": cls.other_company.id,
        })
        Ticket = cls.env["helpdesk.ticket"]
        cls.ticket = Ticket.create({
            "name": "Charged twice", "partner_id": cls.contact.id,
            "description": "<p>I was charged twice. This is unacceptable!</p>",
        })
        cls.solved = Ticket.create({
            "name": "Double charge", "partner_id": cls.individual.id,
            "description": "<p>Two charges on my card</p>", "category_id": cls.billing.id,
            "stage_id": cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id,
        })
        cls.other_ticket = Ticket.create({
            "name": "Elsewhere", "description": "<p>other company</p>",
            "company_id": cls.other_company.id,
        })

    def row(self, **overrides):
        row = {
            "id": self.ticket.id,
            "sentiment": "negative",
            "sentiment_score": -0.82,
            "language": "en",
            "sentiment_sentence": "This is unacceptable!",
            "escalate": True,
            "category_id": self.billing.id,
            "category_confidence": 0.734,
            "topic": None,
            "reply": "Sorry about that, we refunded the second charge.",
            "reply_source_id": self.solved.id,
            "similar_ticket_ids": [self.solved.id],
        }
        row.update(overrides)
        return row

    def apply_tickets(self, rows, user=None, company=None):
        """A helpdesk run writing ``rows``, as the engine does."""
        return self.write_results("helpdesk.ticket", rows, "helpdesk", company, user)

    def test_engine_writes_ticket_insights_in_bulk(self):
        result = self.apply_tickets([self.row()])
        self.assertEqual(result, {"updated": 1})
        self.assertRecordValues(self.ticket, [{
            "ai_sentiment": "negative", "ai_sentiment_score": -0.82, "ai_language": "en",
            "ai_sentiment_sentence": "This is unacceptable!", "ai_escalate": True,
            "ai_category_id": self.billing.id, "ai_category_confidence": 73.4,
            "ai_reply_source_id": self.solved.id, "ai_can_apply_category": True,
        }])
        self.assertEqual(self.ticket.ai_similar_ticket_ids, self.solved)
        self.assertTrue(self.ticket.ai_scored_at)
        # A later run replaces the similar tickets and clears what it sends as None.
        self.apply_tickets([self.row(similar_ticket_ids=[], category_id=None, escalate=False)])
        self.assertFalse(self.ticket.ai_similar_ticket_ids)
        self.assertFalse(self.ticket.ai_category_id)
        self.assertFalse(self.ticket.ai_escalate)

    def test_similar_tickets_keep_the_engines_order(self):
        closer = self.env["helpdesk.ticket"].create({
            "name": "Charged twice again", "partner_id": self.individual.id,
            "description": "<p>I was charged twice</p>", "category_id": self.billing.id,
            "stage_id": self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id,
        })
        self.apply_tickets([self.row(similar_ticket_ids=[closer.id, self.solved.id],
                                     reply_source_id=closer.id)])
        # The first is the most similar, the one whose reply is suggested (not the newest).
        self.assertEqual(self.ticket.ai_similar_ticket_ids.ids, [closer.id, self.solved.id])
        self.apply_tickets([self.row(similar_ticket_ids=[self.solved.id, closer.id])])
        self.assertEqual(self.ticket.ai_similar_ticket_ids.ids, [self.solved.id, closer.id])

    def test_bad_batches_write_nothing(self):
        other = self.env["helpdesk.ticket"].create({"name": "Second", "description": "<p>x</p>"})
        bad_batches = {
            "unknown key": [self.row(), {"id": other.id, "stage_id": 1}],
            "score out of range": [self.row(), {"id": other.id, "sentiment_score": -1.5}],
            "unknown label": [self.row(), {"id": other.id, "sentiment": "angry"}],
            "other company's ticket": [self.row(), {"id": self.other_ticket.id}],
            "other company's category": [self.row(category_id=self.other_category.id)],
            "other company's similar ticket": [
                self.row(similar_ticket_ids=[self.other_ticket.id])],
            "too many similar tickets": [self.row(similar_ticket_ids=[self.solved.id] * 4)],
            "unknown topic code": [self.row(topic={"code": "vibes"})],
            "missing ticket": [self.row(id=999999999)],
        }
        for name, rows in bad_batches.items():
            with self.subTest(name), self.assertRaises(ValidationError):
                self.apply_tickets(rows)
        self.assertFalse(self.ticket.ai_scored_at)
        self.assertFalse(self.ticket.ai_similar_ticket_ids)

    def test_only_the_engine_writes_ticket_insights(self):
        for user in (self.agent, self.salesperson, self.ai_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.apply_tickets([self.row()], user=user)
        with self.assertRaises(AccessError):
            self.ticket.with_user(self.agent).write({"ai_sentiment": "positive"})
        with self.assertRaises(ValidationError):  # a run of a company the bot does not serve
            self.apply_tickets([self.row()], user=self.engine_user_main,
                               company=self.other_company)

    def test_engine_reads_every_ticket_of_its_companies(self):
        seen = self.env["helpdesk.ticket"].with_user(self.engine_user_main).search([])
        self.assertIn(self.ticket, seen)
        self.assertIn(self.solved, seen)
        self.assertNotIn(self.other_ticket, seen)

    def test_agent_applies_the_suggested_category(self):
        self.apply_tickets([self.row()])
        ticket = self.ticket.with_user(self.agent)
        ticket.action_ai_apply_category()
        self.assertEqual(ticket.category_id, self.billing)
        self.assertFalse(ticket.ai_can_apply_category)

    def test_use_reply_opens_the_composer_and_sends_nothing(self):
        self.apply_tickets([self.row()])
        ticket = self.ticket.with_user(self.agent)
        messages_before = self.env["mail.message"].search_count(
            [("model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        action = ticket.action_ai_use_reply()
        self.assertEqual(action["res_model"], "mail.compose.message")
        composer = Form(self.env["mail.compose.message"].with_user(self.agent)
                        .with_context(**action["context"]))
        self.assertIn("we refunded the second charge", composer.body)
        self.assertEqual(composer.partner_ids[:], self.contact)
        composer.save()  # the wizard is ready; only its Send button would post
        messages_after = self.env["mail.message"].search_count(
            [("model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(messages_after, messages_before)

    def test_portal_customers_never_see_ai_fields(self):
        self.ticket.partner_id = self.portal_user.partner_id
        self.apply_tickets([self.row()])
        portal_ticket = self.ticket.with_user(self.portal_user)
        self.assertEqual(portal_ticket.read(["name"])[0]["name"], "Charged twice")
        for fname in ("ai_sentiment", "ai_sentiment_sentence", "ai_reply", "ai_escalate",
                      "ai_category_id", "ai_similar_ticket_ids"):
            with self.subTest(fname), self.assertRaises(AccessError):
                portal_ticket.read([fname])

    def test_views_show_ai_insights_to_agents(self):
        Ticket = self.env["helpdesk.ticket"].with_user(self.agent)
        views = Ticket.get_views([(False, "form"), (False, "list"), (False, "search"),
                                  (False, "kanban")])["views"]
        self.assertIn('name="ai_insights"', views["form"]["arch"])
        self.assertIn("action_ai_use_reply", views["form"]["arch"])
        self.assertIn('name="ai_sentiment"', views["list"]["arch"])
        self.assertIn('name="ai_negative"', views["search"]["arch"])
        self.assertIn('name="ai_escalate"', views["kanban"]["arch"])
        graph = self.env.ref("ai_crm_helpdesk.helpdesk_ticket_view_graph_ai_sentiment")
        self.assertIn("ai_sentiment_score", Ticket.get_view(graph.id, "graph")["arch"])
        negative = Ticket.search([("ai_sentiment", "=", "negative")])
        self.assertNotIn(self.ticket, negative)
        self.apply_tickets([self.row()])
        self.assertIn(self.ticket, Ticket.search([("ai_sentiment", "=", "negative")]))

    def test_claimed_helpdesk_run_knows_since_when_to_look(self):
        Run = self.env["ai.run"]
        first_id = Run.with_user(self.ai_manager).action_queue("helpdesk", self.company.id)
        engine_runs = Run.with_user(self.engine_user_main)
        claimed = engine_runs.ai_claim_next("w1", ["helpdesk"])
        self.assertEqual(claimed["id"], first_id)
        self.assertIsNone(claimed["params"]["since"])
        engine_runs.ai_finish(first_id, {"log": "ok"})
        started = Run.browse(first_id).started_at
        Run.with_user(self.ai_manager).action_queue("helpdesk", self.company.id)
        claimed = engine_runs.ai_claim_next("w1", ["helpdesk"])
        self.assertEqual(claimed["params"]["since"], str(started))

    def test_partner_shows_recent_ticket_mood(self):
        self.assertEqual(self.contact.ai_ticket_count, 1)
        self.assertFalse(self.contact.ai_ticket_mood, "not analysed yet")
        self.apply_tickets([self.row()])
        self.assertRecordValues(self.contact.with_user(self.salesperson), [{
            "ai_ticket_count": 1, "ai_ticket_mood": "negative", "ai_ticket_sentiment": -0.82,
        }])
        self.assertEqual(self.contact.with_company(self.other_company).ai_ticket_count, 0)

    def test_topic_is_shown_in_words(self):
        self.apply_tickets([self.row(category_id=None, category_confidence=None,
                                     topic={"code": "topic_words",
                                            "words": ["refund", "card", "charge"]})])
        self.assertEqual(self.ticket.ai_topic_text, "Top words: refund, card, charge")

    def test_objection_removes_the_mood_and_keeps_the_problem(self):
        self.apply_tickets([self.row()])
        self.customer.ai_exclude_profiling = True
        self.assertRecordValues(self.ticket, [{
            "ai_sentiment": False, "ai_sentiment_score": 0.0, "ai_sentiment_sentence": False,
            "ai_escalate": False, "ai_language": False,
            # About the problem, not the person: kept.
            "ai_category_id": self.billing.id, "ai_reply_source_id": self.solved.id,
        }])
        self.assertFalse(self.contact.ai_ticket_mood)
        # A later run that still sends the customer's mood does not bring it back.
        self.apply_tickets([self.row()])
        self.assertFalse(self.ticket.ai_sentiment)
        self.assertFalse(self.ticket.ai_escalate)

    def test_hourly_cron_queues_only_helpdesk_runs(self):
        Run = self.env["ai.run"]
        Run.search([]).unlink()
        self.env.ref("ai_crm_helpdesk.ir_cron_ai_queue_helpdesk_runs").method_direct_trigger()
        runs = Run.search([])
        self.assertEqual(set(runs.mapped("task")), {"helpdesk"})
        self.assertEqual(runs.company_id, self.env["res.company"].search([]))

    def test_helpdesk_waits_for_insights_and_leads_with_category_accuracy(self):
        Run = self.env["ai.run"]
        manager = Run.with_user(self.ai_manager)
        run = Run.browse(manager.action_queue("helpdesk", self.company.id))
        insights = Run.browse(manager.action_queue("insights", self.company.id))
        engine = Run.with_user(self.engine_user_main)
        self.assertFalse(engine.ai_claim_next("w", ["helpdesk"]), "escalation reads insights")
        self.assertEqual(engine.ai_claim_next("w", ["insights"])["id"], insights.id)
        engine.ai_finish(insights.id, {})
        claim = engine.ai_claim_next("w", ["helpdesk"])
        backtest = {"n_train": 480, "n_test": 120, "top1_accuracy": 0.9167,
                    "majority_baseline": 0.2417}
        engine.ai_finish(claim["id"], {"metrics": {"category_backtest": backtest}})
        headline = str(run.metrics_html).split('class="table table-sm o_ai_run_metrics"')[0]
        self.assertIn("480 oldest categorised tickets", headline)
        self.assertLess(headline.index("0.917"), headline.index("0.242"))


@tagged("post_install", "-at_install")
class TestHelpdeskPortal(HttpCase):
    def test_portal_ticket_page_shows_no_ai_insight(self):
        portal = new_test_user(self.env, "ai_test_portal_page", groups="base.group_portal",
                               password="ai_test_portal_page")
        ticket = self.env["helpdesk.ticket"].create({
            "name": "Lamp broken", "partner_id": portal.partner_id.id,
            "description": "<p>The lamp is broken. Worst purchase ever.</p>",
        })
        engine = new_test_user(self.env, "ai_test_engine_portal",
                               groups="base.group_user,ai_crm.group_ai_engine")
        run = self.env["ai.run"].create({"name": "test", "task": "helpdesk",
                                         "state": "running"})
        self.env["helpdesk.ticket"].with_user(engine).ai_write(
            run.id,
            [{"id": ticket.id, "sentiment": "negative", "sentiment_score": -0.9,
              "sentiment_sentence": "Worst purchase ever.", "escalate": True,
              "reply": "AI-SUGGESTED-REPLY-TEXT"}],
        )
        self.authenticate("ai_test_portal_page", "ai_test_portal_page")
        page = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Lamp broken", page.text)
        for secret in ("AI-SUGGESTED-REPLY-TEXT", "Escalate", "Sentiment"):
            self.assertNotIn(secret, page.text)
