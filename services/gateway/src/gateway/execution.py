"""How the gateway executes a query: graphql-core's executor, with a short way for plain attributes.

A dashboard's page of 100 municipalities has about 3,400 fields, 2,800 of them leaves read straight
from an attribute (a stage's `status`, a municipality's `name`). For each of them graphql-core builds
a resolve info, strawberry calls its resolver for a plain field, and graphql-core completes the value
through its non-null, list and leaf cases: a third of the time the page's execution took. A leaf whose
strawberry field has no resolver, no extension and no arguments is read here with `getattr` and
coerced by its type, as strawberry's own resolver and graphql-core's completion would. Anything
else, and any value this short way would not pass through unchanged (null in a non-null field, an
awaitable, a value its type refuses), takes graphql-core's own path, which gives it its answer or
its located error exactly as before.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
    get_nullable_type,
    is_non_null_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

# Where a field's plan is kept: on graphql-core's field itself, made once, on first use.
PLAN = "zwk-plain-leaf"


class PlainLeaf(NamedTuple):
    attribute: str
    type: GraphQLLeafType
    non_null: bool


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
    return PlainLeaf(definition.python_name, leaf, is_non_null_type(field_def.type))


class GatewayExecution(StrawberryGraphQLCoreExecutionContext):
    def _unwrapped(self, field_def: GraphQLField) -> bool:
        """Whether the field's own resolver runs, with no middleware (a strawberry extension's `resolve`) around it."""
        manager = self.middleware_manager
        return manager is None or manager.get_field_resolver(field_def.resolve) is field_def.resolve  # type: ignore[arg-type]

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        field_def = self.schema.get_field(parent_type, field_details_list[0].node.name.value)
        plan = plain_leaf(field_def) if field_def is not None else None
        if plan is not None and self._unwrapped(field_def):  # type: ignore[arg-type]
            try:
                value = getattr(source, plan.attribute)
                if value is None and not plan.non_null:
                    return None
                if value is not None and not isinstance(value, Exception) and not self.is_awaitable(value):
                    coerced = plan.type.coerce_output_value(value)
                    if coerced is not None and coerced is not Undefined:
                        return coerced
            except Exception:  # noqa: BLE001, S110 - graphql-core's path below reports it, located
                pass
        return super().execute_field(parent_type, source, field_details_list, path, position_context)
