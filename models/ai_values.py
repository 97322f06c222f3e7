"""Checks and SQL shared by the bulk methods the engine writes through.

Each converter turns one value of an engine row into a column value, or raises
``TypeError``/``ValueError`` with a short reason that the bulk method collects into one error.
"""

import datetime
import math
import numbers


def record_id(value):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{value!r} is not a record id")
    return value


def optional_record_id(value):
    return None if value is None or value is False else record_id(value)


def record_ids(limit):
    """A list of at most ``limit`` record ids."""

    def convert(value):
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"{value!r} is not a list of record ids")
        if len(value) > limit:
            raise ValueError(f"more than {limit} ids")
        return [record_id(v) for v in value]

    return convert


def text(value):
    if isinstance(value, bool) or not isinstance(value, (str, numbers.Number)):
        raise TypeError(f"{value!r} is not text")
    return str(value).strip() or None


def _is_real(value):
    # JSON gives int and float: test those exactly first, the ABC check costs ten times more.
    kind = type(value)
    return kind is float or kind is int or (
        kind is not bool and isinstance(value, numbers.Real))


def number(value):
    if not _is_real(value):
        raise TypeError(f"{value!r} is not a number")
    if not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number")
    return float(value)


INT32_MAX = 2**31 - 1  # PostgreSQL's integer column


def whole_number(value):
    converted = number(value)
    if not converted.is_integer():
        raise ValueError(f"{value!r} is not a whole number")
    if abs(converted) > INT32_MAX:
        raise ValueError(f"{value!r} is out of range")
    return int(converted)


def count(value):
    """A whole number that cannot be negative: orders, days, ranks."""
    converted = whole_number(value)
    if converted < 0:
        raise ValueError(f"{value!r} is negative")
    return converted


def amount(value):
    """Money or a score that cannot be negative."""
    converted = number(value)
    if converted < 0:
        raise ValueError(f"{value!r} is negative")
    return converted


def bounded(low, high):
    def convert(value):
        converted = number(value)
        if not low <= converted <= high:
            raise ValueError(f"{value!r} is not between {low} and {high}")
        return converted

    return convert


def percent(value):
    """A probability 0..1 stored as a percentage."""
    return round(bounded(0.0, 1.0)(value) * 100.0, 2)


def iso_date(value):
    """A date as ``YYYY-MM-DD`` text."""
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not a date")
    try:
        return datetime.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ValueError(f"{value!r} is not a date YYYY-MM-DD") from None


def lines(value):
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v).strip() for v in value if str(v).strip()) or None
    return text(value)


def flag(value):
    if not isinstance(value, bool):
        raise TypeError(f"{value!r} is not true or false")
    return value


def choice(selection):
    allowed = [key for key, _label in selection]

    allowed_set = set(allowed)

    def convert(value):
        if not isinstance(value, str) or value not in allowed_set:
            raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
        return value

    return convert


def explanations(templates, limit=None):
    """A list of ``{"code": …, <param>: value}`` dicts whose codes are keys of ``templates``
    (the module's translatable texts) and whose params are numbers, text or lists of them."""

    def convert(value):
        items = value if isinstance(value, (list, tuple)) else None
        if items is None:
            raise TypeError(f"{value!r} is not a list of explanations")
        if limit is not None and len(items) > limit:
            raise ValueError(f"more than {limit} explanations")
        return [explanation(templates)(item) for item in items] or None

    return convert


def explanation(templates):
    """One ``{"code": …, <param>: value}`` dict, its code one of ``templates``."""

    def convert(value):
        if not isinstance(value, dict) or not isinstance(value.get("code"), str):
            raise TypeError(f"{value!r} is not an explanation with a code")
        if value["code"] not in templates:
            raise ValueError(f"unknown explanation code {value['code']!r}")
        for key, param in value.items():
            if not (all(map(_is_param, param)) if isinstance(param, (list, tuple))
                    else _is_param(param)):
                raise TypeError(f"parameter {key!r} of {value['code']!r} is not a number or text")
        return dict(value)

    return convert


def _is_param(value):
    if _is_real(value):
        return math.isfinite(value)
    return isinstance(value, str)
