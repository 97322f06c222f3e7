import re
from pathlib import Path

from lxml import etree

from odoo.tests import TransactionCase, tagged

I18N = Path(__file__).resolve().parents[1] / "i18n"
# Odoo language code -> the module's .po file (de.po serves de_DE, as in every Odoo add-on).
LANGUAGES = {"zh_CN": "zh_CN.po", "de_DE": "de.po", "fr_FR": "fr.po", "es_ES": "es.po"}


def po_translation(po_file: str, msgid: str) -> str:
    """The msgstr of a one-line ``msgid`` in the module's own .po file."""
    text = (I18N / po_file).read_text(encoding="utf-8")
    match = re.search(rf'^msgid "{re.escape(msgid)}"\nmsgstr "(.+)"$', text, re.M)
    assert match, f"{msgid!r} is not translated in {po_file}"
    return match.group(1)


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    """The shipped translations load and reach what users see: field labels, the AI Insights
    page of the contact form and the segment names."""

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
