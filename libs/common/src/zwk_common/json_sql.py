"""JSON that PostgreSQL writes, shaped as the services' models write it.

A list endpoint read on every page of the office's dashboard (100 records at a time, with what
hangs off each) spent most of its time turning rows into models and models into JSON. Such an
endpoint may have PostgreSQL build the JSON instead and send it on as it comes; its response model
still documents the shape, and its tests hold the two to the same answer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Text, case, func, literal_column
from sqlalchemy.sql.elements import ColumnElement

__all__ = ["EMPTY_ARRAY", "constant", "iso_utc", "json_object"]

# `[]` where an aggregate over no rows gives NULL.
EMPTY_ARRAY = literal_column("'[]'::json")


def constant(text: str) -> ColumnElement[Any]:
    """A constant in the statement's own text (a key, a format), never a parameter of unknown type."""
    if "'" in text:
        raise ValueError(f"not a constant for a statement's text: {text!r}")
    return literal_column(f"'{text}'", type_=Text)


def json_object(**fields: ColumnElement[Any]) -> ColumnElement[Any]:
    """`json_build_object` with the keys in the order given."""
    return func.json_build_object(*(part for key, value in fields.items() for part in (constant(key), value)))


def iso_utc(moment: ColumnElement[Any]) -> ColumnElement[Any]:
    """A timestamp as pydantic writes it: in UTC with `Z`, the microseconds only when there are any.

    PostgreSQL's own JSON would write it in the session's time zone, as `+00:00` at best.
    """
    utc = func.timezone(constant("UTC"), moment)
    whole_second = func.mod(func.date_part(constant("microseconds"), moment).cast(BigInteger), 1_000_000) == 0
    fraction = case((whole_second, constant("")), else_=func.to_char(utc, constant(".US")))
    return func.to_char(utc, constant('YYYY-MM-DD"T"HH24:MI:SS')).concat(fraction).concat(constant("Z"))
