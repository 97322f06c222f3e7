"""Checks and SQL shared by the bulk methods the engine writes through.

Each converter turns one value of an engine row into a column value, or raises
``TypeError``/``ValueError`` with a short reason that the bulk method collects into one error.
"""

import math
import numbers

from odoo.tools import SQL


def record_id(value):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{value!r} is not a record id")
    return value


def optional_record_id(value):
    return None if value is None or value is False else record_id(value)


def text(value):
    if isinstance(value, bool) or not isinstance(value, (str, numbers.Number)):
        raise TypeError(f"{value!r} is not text")
    return str(value).strip() or None


def number(value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{value!r} is not a number")
    if not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number")
    return float(value)


def whole_number(value):
    converted = number(value)
    if not converted.is_integer():
        raise ValueError(f"{value!r} is not a whole number")
    return int(converted)


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

    def convert(value):
        if value not in allowed:
            raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
        return value

    return convert


def sql_update_from_values(model, fnames, values, constants, where=None):
    """One ``UPDATE <table> … FROM (VALUES …)``; ``values`` rows are ``[id, *fnames]``.

    Values are cast to each column's type in the SET clause, so a column that is NULL in every
    row still gets the right type. ``where`` adds a condition on the target row (alias ``t``).

    :return: the number of rows updated
    """
    columns = ["id", *fnames]
    row_code = "(" + ", ".join(["%s"] * len(columns)) + ")"
    flat = [value for row in values for value in row]
    assignments = [
        SQL("%s = v.%s::%s", SQL.identifier(f), SQL.identifier(f),
            SQL(model._fields[f].column_type[0]))
        for f in fnames
    ] + [SQL("%s = %s", SQL.identifier(f), value) for f, value in constants.items()]
    model.env.cr.execute(
        SQL(
            "UPDATE %s AS t SET %s FROM (VALUES %s) AS v(%s) WHERE t.id = v.id::int4 %s",
            SQL.identifier(model._table),
            SQL(", ").join(assignments),
            SQL(", ".join([row_code] * len(values)), *flat),
            SQL(", ").join(SQL.identifier(c) for c in columns),
            SQL("AND %s", where) if where else SQL(),
        )
    )
    return model.env.cr.rowcount
