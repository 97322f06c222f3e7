from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from ..models import ai_contract, ai_explain
from .common import AiCrmCommon


@tagged("post_install", "-at_install")
class TestQuoteSuggestions(AiCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]

        def product(name, **vals):
            return Product.create({"name": f"AI Test {name}", "list_price": 100.0, **vals})

        cls.lamp = product("Desk Lamp")
        cls.bulb = product("Bulb")
        cls.shade = product("Lamp Shade")
        cls.paper = product("Paper")
        cls.pens = product("Pens")
        cls.stapler = product("Stapler")
        cls.archived = product("Archived Chair")
        cls.not_sellable = product("Internal Part", sale_ok=False)
        cls.moving = product("Moving Product")  # moved to the other company after the run
        cls.other_product = product("Other Company Desk", company_id=cls.other_company.id)
        top_seller = {"code": "top_seller"}
        cls.publish([
            cls.affinity_row(cls.lamp, cls.bulb, 1, score=0.9, confidence=0.38),
            cls.affinity_row(cls.lamp, cls.archived, 2, score=0.8),
            cls.affinity_row(cls.lamp, cls.shade, 3, score=0.5, confidence=0.2),
            cls.affinity_row(cls.pens, cls.paper, 1, score=0.7, confidence=0.6),
            cls.affinity_row(cls.pens, cls.shade, 2, score=0.6, confidence=0.3),
        ], [
            cls.suggestion_row(cls.customer, cls.paper, 1, source="history", reason={
                "code": "reorder_cycle", "cycle": 30, "days": 34}),
            cls.suggestion_row(cls.customer, cls.not_sellable, 2),
            cls.suggestion_row(cls.customer, cls.moving, 3),
            cls.suggestion_row(cls.customer, cls.pens, 4),
            cls.suggestion_row(False, cls.stapler, 1, reason=top_seller, source="popular"),
            cls.suggestion_row(False, cls.archived, 2, reason=top_seller, source="popular"),
            cls.suggestion_row(False, cls.paper, 3, reason=top_seller, source="popular"),
        ])
        cls.archived.active = False
        cls.moving.product_tmpl_id.company_id = cls.other_company

    # --- helpers ------------------------------------------------------------------------------
    @classmethod
    def affinity_row(cls, product, related, rank, **values):
        return {"product_id": product.id, "related_product_id": related.id, "rank": rank,
                "score": 0.5, "customers_both": 10, "confidence": 0.25, "lift": 2.0, **values}

    @classmethod
    def suggestion_row(cls, partner, product, rank, **values):
        return {"partner_id": partner and partner.id, "product_id": product.id, "rank": rank,
                "score": 1.0 / rank, "reason": {"code": "popular_with_segment"},
                "source": "segment", **values}

    @classmethod
    def publish(cls, affinities, suggestions, company=None, user=None):
        """A product-suggestions run writing both tables, then reported done."""
        run = cls.start_run("suggestions", company)
        results = [cls.env[model].with_user(user or cls.engine_user).ai_write(run.id, rows)
                   for model, rows in (("ai.product.affinity", affinities),
                                       ("ai.customer.suggestion", suggestions))]
        cls.finish_run(run, user)
        return results

    def quote_form(self, partner, products=(), user=None, companies=None):
        orders = self.env["sale.order"].with_user(user or self.salesperson)
        if companies:
            orders = orders.with_context(allowed_company_ids=companies.ids)
        form = Form(orders)
        form.partner_id = partner
        for product in products:
            with form.order_line.new() as line:
                line.product_id = product
        return form

    def suggested(self, form_or_order):
        return [(s["product_id"], s["source"]) for s in form_or_order.ai_suggestions or []]

    # --- what a quotation shows ---------------------------------------------------------------
    def test_customer_suggestions_appear_with_reasons(self):
        form = self.quote_form(self.customer)
        self.assertEqual(self.suggested(form), [
            (self.paper.id, "history"), (self.pens.id, "segment"), (self.stapler.id, "popular"),
        ])
        first = form.ai_suggestions[0]
        self.assertEqual(first["name"], self.paper.display_name)
        self.assertEqual(first["reason"], "Reorders about every 30 days; last order 34 days ago")
        self.assertEqual([s["rank"] for s in form.ai_suggestions], [1, 2, 3])
        # A contact of the customer gets the company's suggestions.
        self.assertEqual(self.suggested(self.quote_form(self.contact)), self.suggested(form))

    def test_names_carry_the_code_as_on_a_line_and_reasons_name_products_without_it(self):
        self.paper.default_code = "PAP-1"
        self.lamp.default_code = "LAMP-7"
        form = self.quote_form(self.customer)
        with form.order_line.new() as line:
            line.product_id = self.lamp
        paper, bulb = form.ai_suggestions[0], form.ai_suggestions[1]
        self.assertEqual(paper["name"], "[PAP-1] AI Test Paper")
        self.assertEqual(paper["name"], self.paper.display_name)
        self.assertEqual(bulb["reason"], "Bought with AI Test Desk Lamp by 38 % of customers")

    def test_a_reason_naming_a_deleted_product_says_so(self):
        gone = self.env["product.product"].create({"name": "AI Test Gone"})
        gone_id, lamp_id = gone.id, self.lamp.id
        gone.unlink()
        reasons = [{"code": "bought_with", "product": pid, "percent": 30}
                   for pid in (lamp_id, gone_id, float(lamp_id))]
        texts = ai_explain.render_all(self.env, reasons, ai_contract.SUGGESTION_REASONS)
        self.assertEqual(texts, [
            "Bought with AI Test Desk Lamp by 30 % of customers",
            "Bought with a product no longer available by 30 % of customers",
            "Bought with AI Test Desk Lamp by 30 % of customers"])
        # One at a time, each reads its own product: the same texts.
        self.assertEqual([ai_explain.render(self.env, r, ai_contract.SUGGESTION_REASONS)
                          for r in reasons], texts)

    def test_quote_says_which_list_serves(self):
        # The run of setUpClass reported no back-test: nothing to say.
        self.assertFalse(self.quote_form(self.customer).ai_suggestions_serving)
        serving = {"suggestions_repeat": {"served": "model", "grade": "A", "model": 0.75,
                                          "baseline": 0.61},
                   "suggestions_new": {"served": "baseline", "grade": "C", "model": 0.14,
                                       "baseline": 0.22}}
        run = self.start_run("suggestions")
        self.env["ai.run"].with_user(self.engine_user).ai_finish(
            run.id, {"metrics": {"serving": serving}})
        text = self.quote_form(self.customer).ai_suggestions_serving  # as the salesperson
        repeat = text.index("Suggestions of products bought before: A — the model served: "
                            "clearly better than the customer's own most-bought products")
        new = text.index("Suggestions of products never bought: C — best sellers served: the "
                         "model did worse")
        self.assertLess(repeat, new)
        # Only the last done run of the quote's company speaks.
        other = self.start_run("suggestions", self.other_company)
        self.env["ai.run"].with_user(self.engine_user).ai_finish(other.id, {"metrics": {
            "serving": {"suggestions_new": {"served": "model", "grade": "A"}}}})
        self.assertEqual(self.quote_form(self.customer).ai_suggestions_serving, text)

    def test_co_purchase_follows_lines_and_drops_quoted_products(self):
        form = self.quote_form(self.customer, [self.lamp])
        # In the order of their scores: the customer's reorder (1.0), then what 38 % of the
        # lamp's customers bought with it, then the segment's pick (0.25), then 20 %.
        self.assertEqual(self.suggested(form), [
            (self.paper.id, "history"), (self.bulb.id, "affinity"), (self.pens.id, "segment"),
            (self.shade.id, "affinity"), (self.stapler.id, "popular"),
        ])
        self.assertEqual([s["score"] for s in form.ai_suggestions[:4]], [1.0, 0.38, 0.25, 0.2])
        self.assertEqual(form.ai_suggestions[1]["reason"],
                         "Bought with AI Test Desk Lamp by 38 % of customers")
        # Pens on the quote: Pens drops out; Shade goes with both lines, 30 % with the pens.
        with form.order_line.new() as line:
            line.product_id = self.pens
        self.assertEqual(self.suggested(form), [
            (self.paper.id, "history"), (self.bulb.id, "affinity"), (self.shade.id, "affinity"),
            (self.stapler.id, "popular"),
        ])
        self.assertEqual(form.ai_suggestions[2]["score"], 0.3)
        self.assertIn("Bought with AI Test Pens by 30 %", form.ai_suggestions[2]["reason"])
        # Removing the lamp removes what went with it only.
        form.order_line.remove(0)
        self.assertEqual(self.suggested(form), [
            (self.paper.id, "history"), (self.shade.id, "affinity"), (self.stapler.id, "popular"),
        ])

    def test_archived_unsellable_and_other_company_products_never_appear(self):
        self.moving.product_tmpl_id.company_id = False  # shared when the engine ran…
        self.archived.active = True
        self.publish([
            self.affinity_row(self.lamp, self.bulb, 1),
            self.affinity_row(self.pens, self.paper, 1),
        ], [
            self.suggestion_row(False, self.not_sellable, 1),
            self.suggestion_row(False, self.archived, 2),
            self.suggestion_row(False, self.moving, 3),
            self.suggestion_row(False, self.stapler, 4),
        ])
        self.archived.active = False
        self.moving.product_tmpl_id.company_id = self.other_company  # …moved since
        forbidden = {self.archived.id, self.not_sellable.id, self.moving.id,
                     self.other_product.id}
        # The manager may read both companies' products: only the filter keeps them out.
        both = self.company + self.other_company
        for partner, user, companies in ((self.customer, self.salesperson, None),
                                         (self.individual, self.ai_manager, both)):
            with self.subTest(partner=partner.name):
                form = self.quote_form(partner, [self.lamp, self.pens], user, companies)
                ids = {s["product_id"] for s in form.ai_suggestions}
                self.assertTrue(ids)
                self.assertFalse(ids & forbidden)
        # The moved product comes back once it is shared again (the filter is what hid it).
        self.moving.product_tmpl_id.company_id = False
        self.assertIn(self.moving.id,
                      {s["product_id"] for s in self.quote_form(self.individual).ai_suggestions})

    def test_cold_start_gets_affinity_then_popular(self):
        newcomer = self.env["res.partner"].create({"name": "AI Test Newcomer"})
        self.assertEqual(self.suggested(self.quote_form(newcomer)), [
            (self.stapler.id, "popular"), (self.paper.id, "popular"),
        ])
        self.assertEqual(self.suggested(self.quote_form(newcomer, [self.lamp])), [
            (self.bulb.id, "affinity"), (self.shade.id, "affinity"),
            (self.stapler.id, "popular"), (self.paper.id, "popular"),
        ])

    def test_count_setting_and_states(self):
        self.company.ai_suggestion_count = 2
        order = self.quote_form(self.customer, [self.lamp]).save()
        self.assertEqual(self.suggested(order), [(self.paper.id, "history"),
                                                 (self.bulb.id, "affinity")])
        self.company.ai_suggestion_count = 0
        order.invalidate_recordset(["ai_suggestions"])
        self.assertFalse(order.ai_suggestions)
        self.company.ai_suggestion_count = 8
        order.invalidate_recordset(["ai_suggestions"])
        self.assertTrue(order.ai_suggestions)
        order.action_confirm()
        self.assertFalse(order.ai_suggestions)
        with self.assertRaises(UserError):
            order.with_user(self.salesperson).action_ai_add_suggestion(self.bulb.id)
        with self.assertRaises(ValidationError):
            self.company.ai_suggestion_count = -1

    # --- Add ----------------------------------------------------------------------------------
    def test_add_creates_the_line_a_salesperson_would_type(self):
        tax = self.env["account.tax"].create({
            "name": "AI Test 15 %", "amount": 15.0, "type_tax_use": "sale",
            "company_id": self.company.id,
        })
        self.bulb.write({"taxes_id": [Command.set(tax.ids)],
                         "uom_id": self.env.ref("uom.product_uom_dozen").id,
                         "uom_po_id": self.env.ref("uom.product_uom_dozen").id})
        pricelist = self.env["product.pricelist"].create({
            "name": "AI Test Fixed", "company_id": self.company.id,
            "item_ids": [Command.create({
                "applied_on": "0_product_variant", "product_id": self.bulb.id,
                "compute_price": "fixed", "fixed_price": 42.0,
            })],
        })
        self.customer.property_product_pricelist = pricelist
        order = self.quote_form(self.customer, [self.lamp]).save()
        self.assertEqual(order.pricelist_id, pricelist)
        line_id = order.with_user(self.salesperson).action_ai_add_suggestion(
            self.bulb.id, "affinity", 1)
        line = self.env["sale.order.line"].browse(line_id)
        by_hand = self.quote_form(self.customer, [self.lamp, self.bulb]).save().order_line[1]
        expected = {
            "product_id": self.bulb.id, "product_uom_qty": 1.0, "price_unit": 42.0,
            "product_uom": self.env.ref("uom.product_uom_dozen").id, "tax_id": tax.ids,
            "name": by_hand.name, "discount": 0.0, "price_total": 48.3,
        }
        self.assertRecordValues(line, [expected])
        self.assertRecordValues(by_hand, [expected])
        self.assertEqual(order.order_line.product_id, self.lamp + self.bulb)
        self.assertNotIn(self.bulb.id, [s["product_id"] for s in order.ai_suggestions])

    def test_add_refuses_products_not_suggested(self):
        order = self.quote_form(self.customer, [self.lamp]).save()
        sales_order = order.with_user(self.salesperson)
        for product in (self.lamp, self.archived, self.not_sellable, self.other_product):
            with self.subTest(product=product.name), self.assertRaises(UserError):
                sales_order.action_ai_add_suggestion(product.id)
        self.assertEqual(order.order_line.product_id, self.lamp)
        self.assertFalse(self.env["ai.suggestion.event"].search([("order_id", "=", order.id)]))

    # --- counting -----------------------------------------------------------------------------
    def test_events_count_shown_added_and_dismissed(self):
        order = self.quote_form(self.customer, [self.lamp]).save().with_user(self.salesperson)
        order.action_ai_suggestions_shown()
        order.action_ai_suggestions_shown()  # shown again: counted once
        Event = self.env["ai.suggestion.event"]
        events = Event.search([("order_id", "=", order.id)])
        self.assertEqual(len(events), 5)
        self.assertEqual(set(events.mapped("action")), {"shown"})
        order.action_ai_add_suggestion(self.bulb.id, "affinity", 2)
        order.action_ai_dismiss_suggestion(self.stapler.id)
        self.assertNotIn(self.stapler.id, [s["product_id"] for s in order.ai_suggestions])
        # Added after the list moved up: the event keeps the rank it was shown at.
        order.action_ai_add_suggestion(self.pens.id)
        events = Event.search([("order_id", "=", order.id)])
        by_product = {event.product_id: event for event in events}
        self.assertEqual(len(events), 5)
        self.assertRecordValues(by_product[self.bulb] + by_product[self.stapler]
                                + by_product[self.pens], [
            {"action": "added", "source": "affinity", "rank": 2, "accepted": 100.0,
             "user_id": self.salesperson.id, "partner_id": self.customer.id,
             "company_id": self.company.id},
            {"action": "dismissed", "source": "popular", "rank": 5, "accepted": 0.0,
             "user_id": self.salesperson.id, "partner_id": self.customer.id,
             "company_id": self.company.id},
            {"action": "added", "source": "segment", "rank": 3, "accepted": 100.0,
             "user_id": self.salesperson.id, "partner_id": self.customer.id,
             "company_id": self.company.id},
        ])
        self.assertTrue(by_product[self.bulb].acted_at)
        # Managers read the acceptance rate: 2 of 5 shown were added.
        [group] = Event.with_user(self.ai_manager).read_group(
            [("order_id", "=", order.id)], ["accepted:avg"], [])
        self.assertAlmostEqual(group["accepted"], 40.0)
        # One row per quotation and product, whatever the ORM is asked.
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), \
                self.env.cr.savepoint():
            Event.create({"company_id": self.company.id, "order_id": order.id,
                          "product_id": self.bulb.id})
        # Salespeople count through the actions only.
        with self.assertRaises(AccessError):
            Event.with_user(self.salesperson).search([])
        with self.assertRaises(AccessError):
            Event.with_user(self.salesperson).create({
                "company_id": self.company.id, "product_id": self.bulb.id})

    # --- security -----------------------------------------------------------------------------
    def test_salesperson_sees_suggestions_but_cannot_write_them(self):
        self.assertFalse(self.salesperson.has_group("ai_crm.group_ai_user"))
        self.assertTrue(self.quote_form(self.customer, [self.lamp]).ai_suggestions)
        run = self.start_run("suggestions")
        for model, row in (
            ("ai.product.affinity", self.affinity_row(self.lamp, self.stapler, 1)),
            ("ai.customer.suggestion", self.suggestion_row(self.customer, self.stapler, 1)),
        ):
            Model = self.env[model].with_user(self.salesperson)
            with self.subTest(model=model), self.assertRaises(AccessError):
                Model.ai_write(run.id, [row])
            with self.subTest(model=model), self.assertRaises(AccessError):
                Model.create(row)
            self.assertTrue(Model.search([]))
        self.assertFalse(self.env["ai.product.affinity"].with_context(active_test=False).search(
            [("related_product_id", "=", self.stapler.id)]))
        with self.assertRaises(ValidationError):  # a run of a company the bot does not serve
            self.publish([self.affinity_row(self.lamp, self.bulb, 1)], [],
                         company=self.other_company, user=self.engine_user_main)

    def test_company_rules_hide_other_company_rows(self):
        self.publish([], [self.suggestion_row(False, self.other_product, 1)],
                     company=self.other_company)
        Suggestion = self.env["ai.customer.suggestion"]
        self.assertEqual(Suggestion.search_count([("company_id", "=", self.other_company.id)]), 1)
        self.assertFalse(Suggestion.with_user(self.salesperson).search(
            [("product_id", "=", self.other_product.id)]))
        self.assertTrue(Suggestion.with_user(self.ai_manager).with_context(
            allowed_company_ids=[self.other_company.id]).search(
            [("product_id", "=", self.other_product.id)]))
        # The other company's run left this company's snapshot alone.
        self.assertTrue(self.quote_form(self.customer).ai_suggestions)

    # --- the bulk methods ---------------------------------------------------------------------
    def affinity_snapshot(self):
        return self.env["ai.product.affinity"].search([]).mapped(
            lambda a: (a.product_id.id, a.related_product_id.id, a.rank))

    def suggestion_snapshot(self):
        return self.env["ai.customer.suggestion"].search([]).mapped(
            lambda s: (s.partner_id.id, s.product_id.id, s.rank))

    def test_a_run_replaces_the_whole_snapshot(self):
        results = self.publish([
            self.affinity_row(self.lamp, self.stapler, 1, score=0.3, customers_both=7,
                              confidence=0.125, lift=3.5),
        ], [self.suggestion_row(self.individual, self.bulb, 1, reason=None, source=None)])
        self.assertEqual(results, [{"written": 1, "skipped_excluded": 0}] * 2)
        self.assertRecordValues(self.env["ai.product.affinity"].search([]), [{
            "company_id": self.company.id, "product_id": self.lamp.id,
            "related_product_id": self.stapler.id, "rank": 1, "score": 0.3,
            "customers_both": 7, "confidence": 0.125, "lift": 3.5,
        }])
        # Products and customers the run did not mention are retired, the popular list too.
        self.assertEqual(self.suggestion_snapshot(), [(self.individual.id, self.bulb.id, 1)])
        self.assertEqual(self.suggested(self.quote_form(self.customer, [self.pens])), [])

    def test_a_run_is_shown_once_done_and_publishing_rewrites_no_row(self):
        Suggestion = self.env["ai.customer.suggestion"]
        before = Suggestion.search([("partner_id", "=", self.customer.id)])
        run = self.start_run("suggestions")
        Suggestion.with_user(self.engine_user).ai_write(
            run.id, [self.suggestion_row(self.customer, self.bulb, 1)])
        staged = Suggestion.with_context(active_test=False).search([("run_id", "=", run.id)])
        # Staged: neither quotes nor searches see it, the published rows still serve.
        self.assertFalse(staged.active)
        self.assertEqual(Suggestion.search([("partner_id", "=", self.customer.id)]), before)
        self.assertNotIn(self.bulb.id, dict(self.suggested(self.quote_form(self.customer))))
        self.env.cr.execute("SELECT ctid::text FROM ai_customer_suggestion WHERE id = %s",
                            [staged.id])
        place = self.env.cr.fetchone()
        self.finish_run(run)
        self.assertEqual(Suggestion.search([]), staged)
        self.assertTrue(staged.active)
        self.assertFalse(before.exists(), "the previous run's rows are retired")
        self.assertEqual(self.suggested(self.quote_form(self.customer))[0],
                         (self.bulb.id, "segment"))
        self.env.cr.execute("SELECT ctid::text FROM ai_customer_suggestion WHERE id = %s",
                            [staged.id])
        self.assertEqual(self.env.cr.fetchone(), place, "the published row was not rewritten")

    def test_bulk_methods_reject_bad_rows_and_write_nothing(self):
        self.env.cr.execute("SELECT max(id) + 1000 FROM product_product")
        missing_id = self.env.cr.fetchone()[0]
        affinities, suggestions = self.affinity_snapshot(), self.suggestion_snapshot()
        bad_affinities = [
            ([self.affinity_row(self.lamp, self.stapler, 1, bogus=1, ai_secret=2)],
             "ai_secret"),
            ([self.affinity_row(self.lamp, self.stapler, 1, related_product_id=missing_id)],
             str(missing_id)),
            ([self.affinity_row(self.lamp, self.other_product, 1)], str(self.other_product.id)),
            ([self.affinity_row(self.lamp, self.stapler, 1, score="high")], "score"),
            ([self.affinity_row(self.lamp, self.stapler, 1, confidence=1.5)], "confidence"),
            ([{"product_id": self.lamp.id, "rank": 1}], "related_product_id"),
            ([self.affinity_row(self.lamp, self.paper, 2)], "twice"),
        ]
        for rows, named in bad_affinities:
            with self.subTest(rows=rows), self.assertRaises(ValidationError) as caught:
                self.publish([self.affinity_row(self.lamp, self.paper, 1), *rows], [])
            self.assertIn(named, str(caught.exception))
        bad_suggestions = [
            ([self.suggestion_row(self.customer, self.stapler, 1, bogus=1)], "bogus"),
            ([self.suggestion_row(self.other_customer, self.stapler, 1)],
             str(self.other_customer.id)),
            ([self.suggestion_row(self.contact, self.stapler, 1)], str(self.contact.id)),
            ([self.suggestion_row(False, self.other_product, 1)], str(self.other_product.id)),
            ([self.suggestion_row(False, self.stapler, 1, source="cycle")], "source"),
            ([self.suggestion_row(False, self.stapler, 1, reason={"code": "trust_me"})],
             "reason"),
        ]
        for rows, named in bad_suggestions:
            with self.subTest(rows=rows), self.assertRaises(ValidationError) as caught:
                self.publish([], [self.suggestion_row(False, self.bulb, 1), *rows])
            self.assertIn(named, str(caught.exception))
        self.assertEqual(self.affinity_snapshot(), affinities)
        self.assertEqual(self.suggestion_snapshot(), suggestions)

    # --- the run queue ------------------------------------------------------------------------
    def test_suggestions_task_waits_for_the_insights_it_reads(self):
        Run = self.env["ai.run"]
        action = Run.with_user(self.ai_manager).with_context(ai_task="suggestions")\
            .action_run_now()
        run = Run.browse(action["res_id"])
        self.assertRecordValues(run, [{"task": "suggestions", "state": "queued",
                                       "company_id": self.company.id}])
        self.assertEqual(Run.with_user(self.ai_manager).action_queue(
            "suggestions", self.company.id, "manual"), run.id)
        insights = Run.browse(Run.with_user(self.ai_manager).action_queue(
            "insights", self.company.id, "manual"))
        engine = Run.with_user(self.engine_user)
        # Queued first, but it reads the segments the insights run writes: it waits.
        claim = engine.ai_claim_next("w1", ["insights", "suggestions"])
        self.assertEqual((claim["id"], claim["task"]), (insights.id, "insights"))
        self.assertFalse(engine.ai_claim_next("w2", ["suggestions"]))
        engine.ai_finish(insights.id, {})
        claim = engine.ai_claim_next("w2", ["suggestions"])
        self.assertEqual((claim["id"], claim["task"], list(claim["params"])),
                         (run.id, "suggestions", ["company_orders"]))
