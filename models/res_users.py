import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

_logger = logging.getLogger(__name__)


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def ai_setup_engine_user(self, login="ai-engine", company_ids=None):
        """Create (or put right) the technical user the AI engine logs in as, and give it a new
        API key valid for as long as its group allows. Administrators only.

        The user gets the engine group and nothing else (not Odoo's default groups for new
        users, which include sales and invoicing rights) and access to ``company_ids`` (default:
        every company the caller may access).

        :return: ``{"login", "user_id", "api_key", "expires", "company_ids"}``; the key is shown
            this once and stored only hashed.
        """
        if not self.env.user.has_group("base.group_system"):
            raise AccessError(self.env._("Only administrators may set up the AI engine's user."))
        if not isinstance(login, str) or not login.strip():
            raise UserError(self.env._("The engine user needs a login."))
        companies = (self.env["res.company"].browse(company_ids).exists() if company_ids
                     else self.env.user.company_ids)
        if not companies or not set(companies.ids) <= set(self.env.user.company_ids.ids):
            raise UserError(self.env._("Choose companies you have access to."))
        group = self.env.ref("ai_crm.group_ai_engine")
        values = {"groups_id": [fields.Command.set(group.ids)],
                  "company_id": companies[0].id,
                  "company_ids": [fields.Command.set(companies.ids)], "active": True}
        Users = self.sudo().with_context(active_test=False, no_reset_password=True)
        user = Users.search([("login", "=", login.strip())], limit=1)
        if user and user.share:
            raise UserError(self.env._("%(login)s is a portal user: choose another login.",
                                       login=login))
        if user:
            user.write(values)
        else:
            user = Users.create({"name": self.env._("AI CRM Engine"), "login": login.strip(),
                                 **values})
        days = group.api_key_duration or 1
        expires = fields.Datetime.now() + timedelta(days=days)
        key = self.env["res.users.apikeys"].with_user(user).sudo()._generate(
            "rpc", self.env._("AI CRM engine"), expires)
        _logger.info("AI engine user %s set up for companies %s by %s", user.login,
                     companies.ids, self.env.user.login)
        return {"login": user.login, "user_id": user.id, "api_key": key,
                "expires": fields.Datetime.to_string(expires), "company_ids": companies.ids}
