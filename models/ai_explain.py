"""Explanations the engine sent as codes with their numbers, rendered in the reader's language.

The texts and the parameter kinds are in ``ai_contract``; a row written before a code existed
shows its code rather than failing.
"""

from odoo.tools import format_amount, formatLang
from odoo.tools.translate import LazyTranslate

from . import ai_contract

_lt = LazyTranslate(__name__)

ONE_DAY, DAYS = _lt("1 day"), _lt("%(n)s days")
ONE_MONTH, MONTHS = _lt("1 month"), _lt("%(n)s months")
UNKNOWN_PRODUCT = _lt("a product no longer available")


def render(env, explanation, templates, currency=None, names=None):
    """The text of one ``{"code": …, <param>: value}`` dict; ``names``: the products it may
    name (``product_names``), read once for many explanations, else read here."""
    code = explanation.get("code") if isinstance(explanation, dict) else None
    template = templates.get(code)
    if template is None:
        return str(code or "")
    if names is None:
        names = product_names(env, [explanation])
    params = {key: _param(env, key, value, currency, names)
              for key, value in explanation.items() if key != "code"}
    text = env._(template)
    if not params:
        return text
    try:
        return text % params
    except (KeyError, TypeError, ValueError):  # a translation that lost a parameter
        return template._source % params


def render_all(env, explanations, templates, currency=None):
    names = product_names(env, explanations or [])
    return [render(env, item, templates, currency, names) for item in explanations or []]


def product_names(env, explanations, product_ids=()):
    """Product id → name (without its code) of every product the ``explanations`` name, and of
    ``product_ids``, read at once: rendered one by one, each explanation read its product
    alone (half of a quotation's suggestions time). A product that no longer exists has no
    name here (``render`` says so)."""
    ids = {int(value) for item in explanations if isinstance(item, dict)
           for key, value in item.items()
           if key in ai_contract.PRODUCT_PARAMS and _is_id(value)} | set(product_ids)
    products = env["product.product"].browse(ids).exists()
    return dict(zip(products.ids, products.with_context(display_default_code=False)
                    .mapped("display_name"), strict=True))


def _is_id(value):
    """A record id as JSON may carry it (``12`` or ``12.0``); anything else names no product."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and float(value).is_integer())


def money_range(env, low, high, currency):
    """``$2,100 – $4,300`` in the currency, rounded to what a reader needs (no cents)."""
    return f"{_whole_money(env, low, currency)} – {_whole_money(env, high, currency)}"


def _whole_money(env, value, currency):
    amount = formatLang(env, _round_money(value), digits=0)
    if not currency:
        return amount
    return f"{currency.symbol}{amount}" if currency.position == "before" \
        else f"{amount}\N{NO-BREAK SPACE}{currency.symbol}"


def _round_money(value):
    """Two significant figures above 100 (2,100; 43,000), whole units below."""
    value = float(value or 0.0)
    if value < 100:
        return round(value)
    digits = len(str(int(value))) - 2
    return round(value, -digits)


def _param(env, key, value, currency, names):
    if key in ai_contract.CLUSTER_PARTS:
        part = ai_contract.CLUSTER_PARTS[key].get(value)
        return env._(part) if part is not None else str(value)
    if key in ai_contract.DAY_PARAMS:
        return _duration(env, value, ONE_DAY, DAYS)
    if key in ai_contract.MONTH_PARAMS:
        return _duration(env, value, ONE_MONTH, MONTHS)
    if key in ai_contract.MONEY_PARAMS:
        return format_amount(env, value, currency) if currency else _number(env, value)
    if key in ai_contract.PRODUCT_PARAMS:
        return names.get(value) or env._(UNKNOWN_PRODUCT)
    if key in ai_contract.LIST_PARAMS:
        return ", ".join(map(str, value if isinstance(value, (list, tuple)) else [value]))
    return _number(env, value) if isinstance(value, (int, float)) else str(value)


def _duration(env, value, one, many):
    if value == 1:
        return env._(one)
    template = env._(many)
    return template % {"n": _number(env, value)}


def _number(env, value):
    digits = 0 if float(value).is_integer() else 1
    return formatLang(env, value, digits=digits)
