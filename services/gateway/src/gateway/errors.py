"""GraphQL errors a caller can act on: every one carries `extensions.code`, none says anything internal."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionResult

log = logging.getLogger(__name__)

UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
BAD_USER_INPUT = "BAD_USER_INPUT"
NOT_FOUND = "NOT_FOUND"
CONFLICT = "CONFLICT"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
INTERNAL = "INTERNAL_SERVER_ERROR"


class GatewayError(GraphQLError):
    """An error the caller caused or can work around, with its `extensions.code`."""

    def __init__(self, message: str, code: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": code, **extensions})

    @property
    def code(self) -> str:
        return str((self.extensions or {}).get("code"))


def bad_input(message: str, **extensions: Any) -> GatewayError:
    return GatewayError(message, BAD_USER_INPUT, **extensions)


def code_of(error: GraphQLError) -> str | None:
    code = (error.extensions or {}).get("code")
    return str(code) if code is not None else None


def _caller_facing(error: GraphQLError) -> GraphQLError:
    if code_of(error) is not None:
        return error
    original = error.original_error
    if error.path is None and (original is None or isinstance(original, GraphQLError | ValueError | TypeError)):
        # Parse, validation and variable errors: graphql-core's own wording names the offending input.
        error.extensions = {**(error.extensions or {}), "code": BAD_USER_INPUT}
        return error
    log.error("unexpected error at %s", error.path, exc_info=original or error)
    return GraphQLError(
        "Internal error; the programme office has been told.",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": INTERNAL},
    )


class CallerFacingErrors(SchemaExtension):
    """Gives every error a code and masks what was not meant for the caller."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if isinstance(result, GraphQLExecutionResult | ExecutionResult) and result.errors:
            result.errors = [_caller_facing(error) for error in result.errors]
