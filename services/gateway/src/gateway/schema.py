"""The GraphQL schema: the core contract and what the office and dashboards need beyond it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import suppress
from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from gateway.config import Settings
from gateway.errors import CallerFacingErrors
from gateway.execution import GatewayExecution, direct_resolvers
from gateway.operations.live import Subscription
from gateway.operations.mutations import Mutation
from gateway.operations.queries import Query
from gateway.protection import OperationGuard


class ParsedQueries(ParserCache):
    """Strawberry's parser cache, except that a query it cannot parse is left for strawberry to parse
    again: the error then takes strawberry's path and reaches the caller with its code."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with suppress(GraphQLError, TypeError):
            context.graphql_document = self.cached_parse_document(context.query, **context.parse_options)
        yield


class GatewaySchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Errors meant for the caller are not the gateway's failures; CallerFacingErrors logs the others."""


def build_schema(settings: Settings) -> strawberry.Schema:
    # Factories, not instances: every operation gets extensions of its own.
    # The limits' rules are made once: the same rules for every operation let a dashboard's
    # repeated query be parsed and validated once, not on every request.
    limits = [
        *QueryDepthLimiter(max_depth=settings.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    extensions: list[Callable[[], SchemaExtension]] = [
        CallerFacingErrors,
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
        partial(AddValidationRules, limits),
        partial(ParsedQueries, maxsize=settings.parsed_queries_kept),
        partial(ValidationCache, maxsize=settings.parsed_queries_kept),
        partial(OperationGuard, max_cost=settings.max_cost),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    schema = GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        execution_context_class=GatewayExecution,
    )
    direct_resolvers(schema)
    return schema
