import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

import { Component, onMounted, onPatched, useState } from "@odoo/owl";

/**
 * The "Suggested products" list of a quotation: renders ``sale.order.ai_suggestions`` and adds
 * or dismisses a suggestion through the order's server actions (which count it).
 */
export class AiSuggestionsField extends Component {
    static template = "ai_crm.AiSuggestionsField";
    static props = { ...standardFieldProps };

    setup() {
        this.orm = useService("orm");
        this.state = useState({ busy: false });
        this.shownKey = null;
        onMounted(() => this.reportShown());
        onPatched(() => this.reportShown());
    }

    get suggestions() {
        return this.props.record.data[this.props.name] || [];
    }

    /** Count what the salesperson saw, once per saved quotation and list of products. */
    reportShown() {
        const record = this.props.record;
        const key = `${record.resId}:${this.suggestions.map((s) => s.product_id).join(",")}`;
        if (!record.resId || !this.suggestions.length || key === this.shownKey || record.dirty) {
            return;
        }
        this.shownKey = key;
        this.orm.call("sale.order", "action_ai_suggestions_shown", [[record.resId]]);
    }

    async act(method, suggestion) {
        const record = this.props.record;
        this.state.busy = true;
        try {
            if (record.isNew || (await record.isDirty())) {
                if (!(await record.save())) {
                    return;
                }
            }
            await this.orm.call("sale.order", method, [[record.resId], suggestion.product_id], {
                source: suggestion.source,
                rank: suggestion.rank,
            });
            await record.load();
        } finally {
            this.state.busy = false;
        }
    }

    onAdd(suggestion) {
        return this.act("action_ai_add_suggestion", suggestion);
    }

    onDismiss(suggestion) {
        return this.act("action_ai_dismiss_suggestion", suggestion);
    }
}

export const aiSuggestionsField = {
    component: AiSuggestionsField,
    displayName: _t("AI product suggestions"),
    supportedTypes: ["json"],
};

registry.category("fields").add("ai_crm_suggestions", aiSuggestionsField);
