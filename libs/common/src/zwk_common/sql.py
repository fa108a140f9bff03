"""SQL that SQLAlchemy 2.0 compiles once, not on every execution.

`insert`: PostgreSQL's INSERT … ON CONFLICT. SQLAlchemy 2.0 marks `postgresql.Insert` as
uncacheable (sqlalchemy/sqlalchemy#10445), so every inbox claim, upsert and fan-out was compiled
anew: a third of benachrichtigung's CPU per event. This `Insert` keys its cache on the standard
INSERT plus its ON CONFLICT clause. Whatever the key cannot describe faithfully (a plain Python
value in `set_`, which SQLAlchemy turns into a parameter only while compiling) stays uncacheable,
exactly as before.

`among`: a batch read's `= ANY(array)` instead of an `IN` list expanded on every execution.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, any_, bindparam, cast, select
from sqlalchemy.dialects.postgresql import ARRAY, dml
from sqlalchemy.sql import dml as standard
from sqlalchemy.sql.cache_key import NO_CACHE
from sqlalchemy.sql.elements import ClauseElement, ColumnElement

__all__ = ["Insert", "among", "given_row", "insert"]


class Insert(dml.Insert):
    # The standard INSERT's key without the ON CONFLICT clause (which SQLAlchemy cannot key);
    # `_gen_cache_key` adds it. Only the cache key differs: copying and comparing stay as they are.
    inherit_cache = True
    _cache_key_traversal = [
        (name, visit) for name, visit in standard.Insert._traverse_internals if name != "_post_values_clause"
    ]

    def _gen_cache_key(self, anon_map: Any, bindparams: list[Any]) -> tuple[Any, ...] | None:
        key = super()._gen_cache_key(anon_map, bindparams)
        clause = self._post_values_clause
        if key is None or clause is None:
            return key
        conflict = _conflict_key(clause, anon_map, bindparams)
        if conflict is None:
            anon_map[NO_CACHE] = True
            return None
        return (*key, conflict)


def insert(table: Any) -> Insert:
    """An INSERT with PostgreSQL's ON CONFLICT, cached like any other statement."""
    return Insert(table)


def given_row(table: Any, columns: Iterable[str], *, prefix: str = "") -> Select[Any]:
    """A row of `table`'s `columns` from the parameters `<prefix><column>`, for an INSERT … SELECT
    that adds a condition (a claim, say) to a row given whole.

    Each parameter is cast to its column's type: a parameter in a select list takes none from the
    column it goes into. A prefix keeps the parameters apart from columns of the same names, which
    an UPDATE in the same statement would otherwise set from them too.
    """
    return select(
        *(
            cast(bindparam(f"{prefix}{name}", type_=table.c[name].type), table.c[name].type).label(name)
            for name in columns
        )
    )


def among(column: ColumnElement[Any], values: Iterable[Any]) -> ColumnElement[bool]:
    """`column = ANY(:values)`, one array parameter, for the batch reads of up to 100 ids.

    `column.in_(values)` renders a parameter per value into the statement on every execution,
    and every length of list is a statement of its own for PostgreSQL to prepare.
    """
    return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))


def _conflict_key(clause: ClauseElement, anon_map: Any, bindparams: list[Any]) -> tuple[Any, ...] | None:
    def of(element: Any) -> Any:
        if element is None or isinstance(element, str):
            return element
        if not isinstance(element, ClauseElement):
            raise _Uncacheable
        found = element._gen_cache_key(anon_map, bindparams)
        if found is None:
            raise _Uncacheable
        return found

    try:
        parts: list[Any] = [
            type(clause).__name__,
            clause.constraint_target,  # type: ignore[attr-defined]
            tuple(of(e) for e in clause.inferred_target_elements or ()),  # type: ignore[attr-defined]
            of(clause.inferred_target_whereclause),  # type: ignore[attr-defined]
        ]
        if isinstance(clause, dml.OnConflictDoUpdate):
            parts.append(tuple((of(column), of(value)) for column, value in clause.update_values_to_set))
            parts.append(of(clause.update_whereclause))
    except _Uncacheable:
        return None
    return tuple(parts)


class _Uncacheable(Exception):
    pass
