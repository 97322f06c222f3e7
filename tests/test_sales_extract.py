from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from ..models.sale_order_line import SALES_PAGE_MAX
from .common import AiCrmCommon

# How the engine reads each column's text back.
READ = {"id": int, "order_id": int, "customer_id": int, "date": str,
        "product_id": lambda text: int(text) if text else False, "quantity": float,
        "amount": float}


@tagged("post_install", "-at_install")
class TestSalesExtract(AiCrmCommon):
    """``sale.order.line.ai_read_sales``: the engine's columnar read of a company's sales."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.env["product.product"].create({"name": "AI Test Extract Product"})
        cls.objector = cls.env["res.partner"].create({"name": "AI Test Objector",
                                                      "is_company": True})

        def order(partner, company, lines, rate=None):
            made = cls.env["sale.order"].create({
                "partner_id": partner.id, "company_id": company.id, "order_line": lines})
            made.action_confirm()  # dates the order today: the day it was sold is set after
            made.date_order = "2026-03-04 22:30:00"
            made.currency_rate = rate or 1.0  # after the date, which computes it again
            return made

        line = {"product_id": cls.product.id, "product_uom_qty": 2, "price_unit": 10.0,
                "tax_id": False}
        cls.order_a = order(cls.contact, cls.company, [
            (0, 0, dict(line)),
            (0, 0, {"display_type": "line_note", "name": "A note, not a sale"}),
            (0, 0, dict(line, product_uom_qty=3, price_unit=5.0)),
        ], rate=2.0)
        cls.order_b = order(cls.other_customer, cls.other_company, [(0, 0, dict(line))])
        cls.order_excluded = order(cls.objector, cls.company, [(0, 0, dict(line))])
        cls.objector.ai_exclude_profiling = True
        cls.draft = cls.env["sale.order"].create({
            "partner_id": cls.customer.id, "order_line": [(0, 0, dict(line))]})
        cls.Lines = cls.env["sale.order.line"].with_user(cls.engine_user)

    def read_all(self, company, limit=2, user=None, after_id=0, **kwargs):
        """Every page, as the engine reads them; the rows as dicts, and the pages' sizes."""
        lines = self.Lines.with_user(user or self.engine_user)
        rows, sizes = [], []
        while after_id is not None:
            page = lines.ai_read_sales(company.id, after_id=after_id, limit=limit, **kwargs)
            self.assertEqual(page["columns"], list(page["data"]))
            columns = {name: text.split(",") if text else []
                       for name, text in page["data"].items()}
            sizes.append(len(columns["id"]))
            rows += [{name: READ[name](value) for name, value in zip(page["columns"], values,
                                                                      strict=True)}
                     for values in zip(*columns.values(), strict=True)]
            after_id = page["next_after_id"]
        return rows, sizes

    def test_columns_of_a_company_s_confirmed_lines(self):
        rows, sizes = self.read_all(self.company)
        self.assertTrue(all(size <= 2 for size in sizes))
        self.assertEqual(len(rows), len({r["id"] for r in rows}), "each line once")
        mine = sorted((r for r in rows if r["order_id"] == self.order_a.id),
                      key=lambda r: r["id"])
        product_lines = self.order_a.order_line.filtered(lambda line: not line.display_type)
        self.assertEqual(mine, [{
            "id": line.id, "order_id": self.order_a.id, "customer_id": self.customer.id,
            "date": "2026-03-04", "product_id": self.product.id,
            "quantity": line.product_uom_qty, "amount": line.price_subtotal / 2.0,
        } for line in product_lines])
        self.assertEqual([r["amount"] for r in mine], [10.0, 7.5])
        ids = {r["id"] for r in rows}
        self.assertFalse(ids & set(self.order_excluded.order_line.ids), "objected to profiling")
        self.assertFalse(ids & set(self.draft.order_line.ids), "not confirmed")

    def test_changed_since_reads_the_whole_history_of_customers_with_changed_orders(self):
        self.env.cr.execute("UPDATE sale_order SET write_date = '2026-01-01 00:00:00'")
        self.env.invalidate_all()
        self.assertEqual(self.read_all(self.company, changed_since="2026-06-01 00:00:00")[0], [])
        # An order of the customer changes (a new one, an edit, a cancellation): all its lines.
        self.env.cr.execute("UPDATE sale_order SET write_date = '2026-07-01 08:00:00' "
                            "WHERE id = %s", [self.order_a.id])
        self.env.invalidate_all()
        rows, _sizes = self.read_all(self.company, limit=1000,
                                     changed_since="2026-06-01 00:00:00")
        everything, _sizes = self.read_all(self.company, limit=1000)
        self.assertEqual(rows, [r for r in everything if r["customer_id"] == self.customer.id])
        self.assertTrue(rows)
        for bad in ("yesterday", 20260601, "2026-13-01 00:00:00"):
            with self.subTest(bad=bad), self.assertRaisesRegex(ValidationError,
                                                               "changed_since must be"):
                self.Lines.ai_read_sales(self.company.id, changed_since=bad)

    def test_ranges_of_ids_read_side_by_side_make_the_whole(self):
        everything = sorted(self.read_all(self.company, limit=1000)[0], key=lambda r: r["id"])
        self.assertGreaterEqual(len(everything), 2)
        bound = everything[1]["id"]  # the first line below it, the rest from it on
        below, sizes = self.read_all(self.company, limit=1, before_id=bound)
        self.assertEqual(below, everything[:1])
        self.assertEqual(sizes, [1, 0])
        above, _sizes = self.read_all(self.company, limit=1, after_id=bound - 1)
        self.assertEqual(sorted(above, key=lambda r: r["id"]), everything[1:])

    def test_a_company_never_sees_another_s_lines(self):
        rows, _sizes = self.read_all(self.company, limit=1000)
        companies = self.env["sale.order.line"].browse([r["id"] for r in rows]).company_id
        self.assertEqual(companies, self.company)
        other, _sizes = self.read_all(self.other_company, limit=1000)
        self.assertEqual({r["id"] for r in other}, set(self.order_b.order_line.ids))
        self.assertEqual(other[0]["customer_id"], self.other_customer.id)

    def test_only_the_engine_of_the_company_may_read(self):
        for user in (self.salesperson, self.ai_manager):
            with self.assertRaises(AccessError):
                self.Lines.with_user(user).ai_read_sales(self.company.id)
        with self.assertRaises(AccessError):
            self.Lines.with_user(self.engine_user_main).ai_read_sales(self.other_company.id)
        with self.assertRaises(AccessError):
            self.Lines.ai_read_sales(self.other_company.id + 1000)

    def test_bad_arguments_are_refused_clearly(self):
        for kwargs, words in (
            ({"limit": -1}, "limit must be a whole number from 1 to"),
            ({"limit": 0}, "limit must be"),
            ({"limit": SALES_PAGE_MAX + 1}, f"to {SALES_PAGE_MAX}, not"),
            ({"limit": "10"}, "limit must be"),
            ({"after_id": "5"}, "after_id must be a whole number"),
            ({"after_id": -3}, "after_id must be"),
            ({"after_id": 1.5}, "after_id must be"),
            ({"before_id": "9"}, "before_id must be a whole number above after_id"),
            ({"after_id": 5, "before_id": 5}, "before_id must be"),
            ({"before_id": True}, "before_id must be"),
        ):
            with self.subTest(**kwargs), self.assertRaisesRegex(ValidationError, words):
                self.Lines.ai_read_sales(self.company.id, **kwargs)
        with self.assertRaises(AccessError):
            self.Lines.ai_read_sales(str(self.company.id))
