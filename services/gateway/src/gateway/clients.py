"""One pooled HTTP client per service; a service's problem details become GraphQL errors."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import httpx
import orjson

from gateway.config import Settings
from gateway.errors import (
    BAD_USER_INPUT,
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    SERVICE_UNAVAILABLE,
    UNAUTHENTICATED,
    GatewayError,
)

log = logging.getLogger(__name__)

SERVICES = ("kommunen", "prozess", "austausch", "benachrichtigung")

# What a refusal means for the caller, by status, where the problem carries no code of its own.
CODE_BY_STATUS = {
    400: BAD_USER_INPUT,
    401: UNAUTHENTICATED,
    403: FORBIDDEN,
    404: NOT_FOUND,
    409: CONFLICT,
    413: BAD_USER_INPUT,
    422: BAD_USER_INPUT,
}
PASSED_ON_CODES = frozenset(CODE_BY_STATUS.values()) | {"RATE_LIMITED"}
SERVICE_NAMES = {
    "kommunen": "municipality register",
    "prozess": "process",
    "austausch": "exchange forum",
    "benachrichtigung": "notification",
}


class ServiceClients:
    """The gateway's HTTP clients, one connection pool per service; `calls` counts requests per service,
    and `paths`, once a test sets it, per service and path (paths carry ids: never counted in service)."""

    def __init__(self, settings: Settings) -> None:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        timeout = httpx.Timeout(settings.service_timeout_seconds, connect=settings.service_connect_timeout_seconds)
        self.clients = {
            name: httpx.AsyncClient(base_url=getattr(settings, f"{name}_url"), limits=limits, timeout=timeout)
            for name in SERVICES
        }
        self.calls: dict[str, int] = dict.fromkeys(SERVICES, 0)
        self.paths: Counter[tuple[str, str]] | None = None

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    async def request(self, service: str, method: str, path: str, *, token: str | None, **kwargs: Any) -> Any:
        self.calls[service] += 1
        if self.paths is not None:
            self.paths[service, path] += 1
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = await self.clients[service].request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            log.warning("%s %s %s: no answer in time", service, method, path)
            raise GatewayError(
                f"The {SERVICE_NAMES[service]} service did not answer in time; try again shortly.",
                SERVICE_UNAVAILABLE,
                service=service,
            ) from exc
        except httpx.HTTPError as exc:
            log.warning("%s %s %s: %s", service, method, path, type(exc).__name__)
            raise GatewayError(
                f"The {SERVICE_NAMES[service]} service cannot be reached; try again shortly.",
                SERVICE_UNAVAILABLE,
                service=service,
            ) from exc
        if response.status_code >= 400:
            raise problem_to_error(service, response)
        # orjson: a page of 100 municipalities with their processes and practices is half a megabyte
        # of JSON, which the standard library decodes at a quarter of the speed.
        return orjson.loads(response.content) if response.content else None


def problem_to_error(service: str, response: httpx.Response) -> GatewayError:
    """The caller's view of a refusal: the service's own explanation, never its internals."""
    try:
        problem = response.json()
    except ValueError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    if response.status_code >= 500 or response.status_code == 429:
        log.warning("%s answered %s: %s", service, response.status_code, problem.get("title"))
        code = "RATE_LIMITED" if response.status_code == 429 else SERVICE_UNAVAILABLE
        return GatewayError(
            f"The {SERVICE_NAMES[service]} service could not answer; try again shortly.", code, service=service
        )
    given_code = problem.get("code")
    code = given_code if given_code in PASSED_ON_CODES else CODE_BY_STATUS.get(response.status_code, BAD_USER_INPUT)
    message = problem.get("detail") or problem.get("title") or "The request was refused."
    extensions: dict[str, Any] = {}
    fields = [
        {"field": _camel(str(e.get("field"))) if e.get("field") else None, "message": str(e.get("message", ""))}
        for e in problem.get("errors") or []
        if isinstance(e, dict)
    ]
    if fields:
        extensions["fields"] = fields[:50]
    return GatewayError(str(message)[:2000], code, **extensions)


def _camel(dotted: str) -> str:
    """A service's field path (`member_keys.0`) in the names the GraphQL caller used (`memberKeys.0`)."""

    def one(name: str) -> str:
        head, *rest = name.split("_")
        return head + "".join(part[:1].upper() + part[1:] for part in rest)

    return ".".join(one(part) for part in dotted.split("."))
