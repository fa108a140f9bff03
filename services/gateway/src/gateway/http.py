"""GraphQL over HTTP: GET for queries, POST for everything, and `application/graphql-response+json` when asked."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from gateway.context import Context

GRAPHQL_RESPONSE = "application/graphql-response+json"
# A request refused as a whole answers with the status its reason has in HTTP.
STATUS_BY_CODE = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403}
_current: ContextVar[Request | None] = ContextVar("gateway_request", default=None)


def wants_graphql_response(request: Request) -> bool:
    """Whether the caller prefers the GraphQL-over-HTTP media type to plain JSON."""
    preferred: list[tuple[float, int, str]] = []
    for position, part in enumerate(request.headers.get("accept", "").split(",")):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media in (GRAPHQL_RESPONSE, "application/json", "*/*", "application/*") and quality > 0:
            preferred.append((-quality, position, media))
    return bool(preferred) and min(preferred)[2] == GRAPHQL_RESPONSE


class GatewayRouter(GraphQLRouter[Context, None]):
    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        token = _current.set(request if isinstance(request, Request) else None)
        try:
            return await super().run(request, context=context, root_value=root_value)
        finally:
            _current.reset(token)
            if isinstance(context, Context):
                # What the request loaded goes with its answer (`Context.forget_loaded`).
                context.forget_loaded()

    def encode_json(self, data: object) -> bytes:
        # A dashboard page answers with about 4,000 fields: the standard library's encoder took
        # a thirtieth of the gateway's time for it, orjson a tenth of that.
        return orjson.dumps(data)

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        # A request error (unparsable, invalid, refused before running) has no data at all, not even null.
        if result.data is None and result.errors and all(error.path is None for error in result.errors):
            request.state.graphql_request_error = True
        return processed

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        request = _current.get()
        if request is None or not wants_graphql_response(request):
            return super().create_response(response_data, sub_response)
        request_error = getattr(request.state, "graphql_request_error", False) and isinstance(response_data, dict)
        if request_error:
            response_data = {key: value for key, value in response_data.items() if key != "data"}
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
        if request_error:
            response.status_code = STATUS_BY_CODE.get(_first_code(response_data) or "", 400)
        return response

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Subscriptions need a caller: the handshake's bearer header or `connection_init`'s token."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        token = params.get("token") or params.get("authorization") or params.get("Authorization")
        if isinstance(token, str) and token.strip():
            scheme, _, rest = token.strip().partition(" ")
            await context.authenticate(rest.strip() if scheme.lower() == "bearer" and rest.strip() else token.strip())
        try:
            context.caller  # noqa: B018 - raises where there is none
        except Exception as exc:
            raise ConnectionRejectionError({"message": str(exc)}) from exc
        return UNSET


def _first_code(response_data: dict[str, Any]) -> str | None:
    errors = response_data.get("errors") or [{}]
    return (errors[0].get("extensions") or {}).get("code")
