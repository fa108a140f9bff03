"""SQL that SQLAlchemy 2.0 compiles once, not on every execution.

`insert`: PostgreSQL's INSERT … ON CONFLICT. SQLAlchemy 2.0 marks `postgresql.Insert` as
uncacheable (sqlalchemy/sqlalchemy#10445), so every inbox claim, upsert and fan-out was compiled
anew: a third of benachrichtigung's CPU per event. This `Insert` keys its cache on the standard
INSERT plus its ON CONFLICT clause. Whatever the key cannot describe faithfully (a plain Python
value in `set_`, which SQLAlchemy turns into a parameter only while compiling) stays uncacheable,
exactly as before.

`among`: a batch read's `= ANY(array)` instead of an `IN` list expanded on every execution.

`DriverStatement`: a statement run many times a second, compiled to its SQL once and run on
asyncpg's connection beneath the session, in the session's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import asyncpg
from opentelemetry import trace
from sqlalchemy import Select, any_, bindparam, cast, select
from sqlalchemy.dialects.postgresql import ARRAY, dml
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import dml as standard
from sqlalchemy.sql.cache_key import NO_CACHE
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement, ColumnElement

__all__ = ["DriverStatement", "Insert", "among", "given_row", "insert"]


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


# A parameter of a `DriverStatement`: its name, its default (or `_REQUIRED`), its type's conversion.
_Parameter = tuple[str, Any, Callable[[Any], Any] | None]


class DriverStatement:
    """A statement compiled once and run on asyncpg's connection beneath a session, in the
    session's transaction: rows come back as asyncpg's records, which read like `RowMapping`s
    (`row["column"]`).

    For the few statements a service runs for every change at the highest rates. Through the
    session, SQLAlchemy spends more CPU on each execution than asyncpg does (its execution
    context, parameters and result): 159–185 µs a statement against 61–82 µs on the driver
    (benchmarks/README.md, nineteenth round). What SQLAlchemy would otherwise do is done here
    once: the SQL, the order of its parameters, their types' conversions. The engine's
    `before_cursor_execute` and `after_cursor_execute` listeners still see each execution, so
    its span is the instrumentation's; a failure is asyncpg's error, which the problem handlers
    know as they know SQLAlchemy's.

    A statement whose SQL depends on its values (an expanding `IN`) is refused.
    """

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: tuple[Dialect, str, list[_Parameter]] | None = None

    def _compile(self, dialect: Dialect) -> tuple[str, list[_Parameter]]:
        if self._compiled is not None and self._compiled[0] is dialect:
            return self._compiled[1], self._compiled[2]
        compiled = self.statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        if compiled.positiontup is None or compiled.literal_execute_params or compiled.post_compile_params:
            raise TypeError("a DriverStatement's SQL must not depend on its values")
        parameters: list[_Parameter] = []
        for name in compiled.positiontup:
            bind = compiled.binds[name]
            default = _REQUIRED if bind.required or bind.callable is not None else bind.effective_value
            parameters.append((name, default, bind.type.dialect_impl(dialect).bind_processor(dialect)))
        self._compiled = (dialect, compiled.string, parameters)
        return compiled.string, parameters

    async def fetch(self, session: AsyncSession, values: Mapping[str, Any]) -> list[asyncpg.Record]:
        """Every row the statement returns, run with `values` in the session's transaction."""
        connection = await session.connection()
        sql, parameters = self._compile(connection.dialect)
        arguments = []
        for name, default, convert in parameters:
            value = values[name] if default is _REQUIRED else values.get(name, default)
            # None too, as SQLAlchemy converts it: JSONB keeps it as JSON's null, not SQL's NULL.
            arguments.append(convert(value) if convert is not None else value)
        raw = await connection.get_raw_connection()
        adapted: Any = raw.dbapi_connection
        driver: asyncpg.Connection = raw.driver_connection  # type: ignore[assignment]
        observed = connection.sync_connection
        assert observed is not None
        execution = _Execution()
        for before in observed.dispatch.before_cursor_execute:
            before(observed, None, sql, arguments, execution, False)
        # As SQLAlchemy's asyncpg adapter runs a statement: one at a time on the connection, and
        # BEGIN first where the transaction has not begun (the adapter sends it only with the
        # first statement; one run past it would otherwise commit on its own). These are the
        # adapter's own attributes, of the SQLAlchemy uv.lock pins; the tests of DriverStatement
        # fail if a release changes them.
        try:
            async with adapted._execute_mutex:
                if not adapted._started:
                    await adapted._start_transaction()
                rows = await driver.fetch(sql, *arguments)
        except BaseException as exc:
            _failed(execution, exc)
            raise
        for after in observed.dispatch.after_cursor_execute:
            after(observed, None, sql, arguments, execution, False)
        return rows

    async def fetchrow(self, session: AsyncSession, values: Mapping[str, Any]) -> asyncpg.Record | None:
        """The statement's first row, or None."""
        rows = await self.fetch(session, values)
        return rows[0] if rows else None


class _Execution:
    """What the cursor listeners keep of one execution between before and after (the
    instrumentation keeps its span here, as on SQLAlchemy's execution context)."""


def _failed(execution: _Execution, exc: BaseException) -> None:
    # SQLAlchemy's `handle_error` event takes an execution context this statement does not have;
    # the instrumentation's listener would mark the span failed and end it, and so is this.
    span = getattr(execution, "_otel_span", None)
    if span is not None:
        if span.is_recording():
            span.set_status(trace.Status(trace.StatusCode.ERROR, str(exc)))
        span.end()


_REQUIRED = object()
