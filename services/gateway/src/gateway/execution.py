"""How the gateway executes a query: graphql-core's executor, with a short way for plain attributes.

A dashboard's page of 100 municipalities has about 3,400 fields, 2,800 of them leaves read straight
from an attribute (a stage's `status`, a municipality's `name`). For each of them graphql-core builds
a path and a resolve info, strawberry calls its resolver for a plain field, and graphql-core completes
the value through its non-null, list and leaf cases. A leaf whose strawberry field has no resolver,
no extension and no arguments is read here with `getattr` and coerced by its type, as strawberry's own
resolver and graphql-core's completion would. Which fields of an object take the short way is decided
once per selection and query (`FieldsPlan`): the 500 stages of a page share one plan. Anything else,
and any value this short way would not pass through unchanged (null in a non-null field, an
awaitable, a value its type refuses), takes graphql-core's own path, which gives it its answer or its
located error exactly as before.

A field with a resolver of its own (a municipality's `stages`, `currentStage`, `practices`: three
hundred on a dashboard's page) went through five of strawberry's layers before reaching it: an info
object, its arguments converted one by one through the name converter, the field's extensions
folded around it, and the resolver's own wrapper. Where there is nothing for those layers to do (no
field extension, no exception handler, arguments that are plain scalars, passed on as they come),
`direct_resolvers` lets graphql-core call the resolver itself, with the same info, source and
arguments strawberry would have given it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from enum import Enum
from typing import Any, NamedTuple

import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLResolveInfoHelpers,
    GraphQLScalarType,
    Undefined,
    get_nullable_type,
    is_non_null_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryMaybe, StrawberryOptional
from strawberry.types.field import StrawberryField

# Where a field's plan is kept: on graphql-core's field itself, made once, on first use.
PLAN = "zwk-plain-leaf"
# What a short read answers when graphql-core must take the field instead.
_TAKE_THE_LONG_WAY = object()


class PlainLeaf(NamedTuple):
    attribute: str
    coerce: Callable[[Any], Any]
    non_null: bool

    def read(self, source: Any, is_awaitable: Callable[[Any], bool]) -> Any:
        """The field's answer, or `_TAKE_THE_LONG_WAY` where graphql-core must give it (or its error)."""
        try:
            value = getattr(source, self.attribute)
            if value is None:
                return _TAKE_THE_LONG_WAY if self.non_null else None
            # An exception given as the value is an error; an awaitable is awaited: both graphql-core's.
            if isinstance(value, Exception) or is_awaitable(value):
                return _TAKE_THE_LONG_WAY
            coerced = self.coerce(value)
        except Exception:  # noqa: BLE001 - graphql-core's path reports it, located
            return _TAKE_THE_LONG_WAY
        return _TAKE_THE_LONG_WAY if coerced is None or coerced is Undefined else coerced


def plain_leaf(field_def: GraphQLField) -> PlainLeaf | None:
    """The plan for a field read straight from an attribute, or None where graphql-core must resolve it."""
    extensions = field_def.extensions
    try:
        return extensions[PLAN]  # type: ignore[no-any-return]
    except KeyError:
        plan = extensions[PLAN] = _plan(field_def)
        return plan


def _plan(field_def: GraphQLField) -> PlainLeaf | None:
    definition = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if (
        not isinstance(definition, StrawberryField)
        or not definition.is_basic_field
        or definition.default_resolver is not getattr
        or field_def.args
        # strawberry marks the resolver it made for a plain attribute; anything else resolves on its own
        or getattr(field_def.resolve, "_is_default", False) is not True
    ):
        return None
    leaf = get_nullable_type(field_def.type)
    if not isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
        return None
    return PlainLeaf(definition.python_name, _coercion(leaf), is_non_null_type(field_def.type))


def _coercion(leaf: GraphQLScalarType | GraphQLEnumType) -> Callable[[Any], Any]:
    """The leaf type's own coercion; for a strawberry enum, its members' names looked up instead.

    strawberry's enum compares the value with each of its values in turn (through the enum's
    properties): a stage's `stage` and `status` are a thousand such searches on a dashboard's page.
    The first name whose value equals the member's is the one strawberry answers, so the table keeps it.
    """
    wrapped = getattr(leaf, "wrapped_cls", None)
    if not (isinstance(leaf, GraphQLEnumType) and isinstance(wrapped, type) and issubclass(wrapped, Enum)):
        return leaf.coerce_output_value
    names: dict[Any, str] = {}
    for name, value in leaf.values.items():
        for member in wrapped:
            if member.value == value.value:
                names.setdefault(member, name)
    coerce_otherwise = leaf.coerce_output_value

    def coerce(value: Any) -> Any:
        name = names.get(value) if type(value) is wrapped else None
        return name if name is not None else coerce_otherwise(value)

    return coerce


# Argument types strawberry hands to a resolver exactly as graphql-core gives them.
_PLAIN_ARGUMENTS = (str, int, float, bool, strawberry.ID)


def direct_resolvers(schema: strawberry.Schema) -> int:
    """Let graphql-core call each resolver that strawberry's layers would only pass through; how many."""
    replaced = 0
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for field_def in graphql_type.fields.values():
            direct = _direct_resolver(schema, field_def)
            if direct is not None:
                field_def.resolve = direct
                replaced += 1
    return replaced


def _direct_resolver(schema: strawberry.Schema, field_def: GraphQLField) -> Callable[..., Any] | None:
    definition = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or definition.base_resolver is None:
        return None
    resolver = definition.base_resolver
    if (
        definition.extensions
        or definition.is_subscription
        or schema.exception_handlers
        or resolver.parent_parameter is not None
        or resolver.root_parameter is not None
    ):
        return None
    # graphql-core passes arguments by their GraphQL names; the resolver takes its own.
    python_names: dict[str, str] = {}
    for argument in definition.arguments:
        argument_type = argument.type
        if isinstance(argument_type, StrawberryOptional) and not isinstance(argument_type, StrawberryMaybe):
            argument_type = argument_type.of_type
        if argument_type not in _PLAIN_ARGUMENTS or argument.python_name is None:
            return None
        python_names[schema.config.name_converter.from_argument(argument)] = argument.python_name
    function = resolver.wrapped_func
    if not callable(function):
        return None
    info_class = schema.config.info_class
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None
    with_self = resolver.self_parameter is not None
    renamed = any(graphql != python for graphql, python in python_names.items())

    def resolve(source: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
        if renamed:
            arguments = {python_names[name]: value for name, value in arguments.items()}
        if info_name is not None:
            arguments[info_name] = info_class(_raw_info=info, _field=definition)
        return function(source, **arguments) if with_self else function(**arguments)

    return resolve


class FieldsPlan(NamedTuple):
    """The fields an object of one type is asked for in one selection, each with its short way if it has one."""

    grouped_field_set: GroupedFieldSet
    fields: list[tuple[str, FieldDetailsList, PlainLeaf | None]]


class GatewayExecution(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # graphql-core hands resolvers two of the executor's bound methods, kept on the executor: a
        # reference cycle holding everything the execution made (its context, the collected fields)
        # until the garbage collector finds it. Bound weakly, all of it goes with the answer.
        executor = weakref.ref(self)
        self.async_helpers = GraphQLResolveInfoHelpers(
            gather=lambda values: executor().gather_async_work(values),  # type: ignore[union-attr]
            track=lambda values: executor().track_async_work(values),  # type: ignore[union-attr]
        )

    def _unwrapped(self, field_def: GraphQLField) -> bool:
        """Whether the field's own resolver runs, with no middleware (a strawberry extension's `resolve`) around it."""
        manager = self.middleware_manager
        return manager is None or manager.get_field_resolver(field_def.resolve) is field_def.resolve  # type: ignore[arg-type]

    def _fields_plan(self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> FieldsPlan:
        # graphql-core collects the selection of a list's items once and hands the same grouped
        # field set to each item; the plan is made with it and kept for this execution. The set
        # itself is kept in the plan, so that its id cannot be taken by another while the plan lives.
        try:
            plans: dict[tuple[GraphQLObjectType, int], FieldsPlan] = self.__dict__["_zwk_plans"]
        except KeyError:
            plans = self.__dict__["_zwk_plans"] = {}
        key = (parent_type, id(grouped_field_set))
        plan = plans.get(key)
        if plan is not None and plan.grouped_field_set is grouped_field_set:
            return plan
        fields: list[tuple[str, FieldDetailsList, PlainLeaf | None]] = []
        for response_name, field_details_list in grouped_field_set.items():
            field_def = self.schema.get_field(parent_type, field_details_list[0].node.name.value)
            leaf = plain_leaf(field_def) if field_def is not None and self._unwrapped(field_def) else None
            fields.append((response_name, field_details_list, leaf))
        plan = plans[key] = FieldsPlan(grouped_field_set, fields)
        return plan

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        """graphql-core's `execute_fields`, with the plain leaves read the short way."""
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list, leaf in self._fields_plan(parent_type, grouped_field_set).fields:
                if leaf is not None:
                    value = leaf.read(source_value, is_awaitable)
                    if value is not _TAKE_THE_LONG_WAY:
                        results[response_name] = value
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                # As graphql-core does: the awaitables of other fields are settled, they may fail too.
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()
