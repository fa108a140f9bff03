"""The GraphQL schema: the core contract and what the office and dashboards need beyond it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.types import ExecutionContext

from gateway.config import Settings
from gateway.errors import CallerFacingErrors
from gateway.operations.live import Subscription
from gateway.operations.mutations import Mutation
from gateway.operations.queries import Query
from gateway.protection import OperationGuard


class GatewaySchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Errors meant for the caller are not the gateway's failures; CallerFacingErrors logs the others."""


def build_schema(settings: Settings) -> strawberry.Schema:
    # Factories, not instances: every operation gets extensions of its own.
    extensions: list[Callable[[], SchemaExtension]] = [
        CallerFacingErrors,
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
        partial(QueryDepthLimiter, max_depth=settings.max_depth),
        partial(MaxAliasesLimiter, max_alias_count=settings.max_aliases),
        partial(OperationGuard, max_cost=settings.max_cost),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
    )
