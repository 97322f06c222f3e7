import re
from pathlib import Path

from lxml import etree

from odoo.tests import tagged

from .common import AiCrmCommon

I18N = Path(__file__).resolve().parents[1] / "i18n"
# Odoo language code -> the module's .po file (de.po serves de_DE, as in every Odoo add-on).
LANGUAGES = {"zh_CN": "zh_CN.po", "de_DE": "de.po", "fr_FR": "fr.po", "es_ES": "es.po"}


def _po_string(block):
    """The text of a msgid or msgstr, its quoted lines joined."""
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block)).replace('\\"', '"')


def po_translation(po_file: str, msgid: str) -> str:
    """The msgstr of ``msgid`` in the module's own .po file (multi-line entries too)."""
    text = (I18N / po_file).read_text(encoding="utf-8")
    for entry in re.finditer(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', text, re.M):
        if _po_string(entry.group(1)) == msgid:
            translated = _po_string(entry.group(2))
            assert translated, f"{msgid!r} is not translated in {po_file}"
            return translated
    raise AssertionError(f"{msgid!r} is not in {po_file}")


@tagged("post_install", "-at_install")
class TestTranslations(AiCrmCommon):
    """The shipped translations load and reach what users see: field labels, the AI Insights
    page of the contact form, the segment names, and the reasons and cluster names the engine
    sends as codes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in LANGUAGES:
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(["ai_crm"], list(LANGUAGES),
                                                       overwrite=True)

    def test_field_labels_are_translated(self):
        field = self.env["ir.model.fields"]._get("res.partner", "ai_churn_probability")
        for lang, po_file in LANGUAGES.items():
            expected = po_translation(po_file, field.field_description)
            self.assertEqual(field.with_context(lang=lang).field_description, expected, lang)
            self.assertNotEqual(expected, "Churn Probability (%)", lang)

    def test_contact_form_page_and_segment_names_are_translated(self):
        loyal = self.env.ref("ai_crm.ai_segment_loyal")
        for lang, po_file in LANGUAGES.items():
            partners = self.env["res.partner"].with_context(lang=lang)
            arch = etree.fromstring(partners.get_views([(False, "form")])["views"]["form"]["arch"])
            [page] = arch.xpath("//page[@name='ai_insights']")
            self.assertEqual(page.get("string"), po_translation(po_file, "AI Insights"), lang)
            self.assertEqual(loyal.with_context(lang=lang).name, po_translation(po_file, "Loyal"))

    def test_reasons_and_clusters_are_worded_in_the_readers_language(self):
        self.apply([self.insight_row(self.customer, churn_reasons=[
            {"code": "silence_vs_own_gap", "days": 40, "gap": 1},
            {"code": "few_orders", "orders": 3, "months": 14}])])
        for lang, po_file in LANGUAGES.items():
            def tr(msgid, po_file=po_file):
                return po_translation(po_file, msgid)
            silence = tr("No order for %(days)s; this customer usually orders every %(gap)s") % {
                "days": tr("%(n)s days") % {"n": "40"}, "gap": tr("1 day")}
            few = tr("Only %(orders)s orders in %(months)s") % {
                "orders": "3", "months": tr("%(n)s months") % {"n": "14"}}
            cluster = tr("%(often)s, %(spend)s %(when)s") % {
                "often": tr("Frequent"), "spend": tr("high-spend"), "when": tr("recent buyers")}
            contact = self.contact.with_context(lang=lang)
            self.assertEqual(contact.ai_churn_reasons, f"{silence}\n{few}", lang)
            self.assertEqual(contact.ai_cluster, cluster, lang)
            self.assertNotIn("No order for", contact.ai_churn_reasons, lang)
