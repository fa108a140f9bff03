"""One pooled HTTP client for the services; a service's problem details become GraphQL errors.

The client is aiohttp's: httpx spent about 1.2 ms of the gateway's CPU on a call with 100 ids in
its query (it parses a URL character by character), aiohttp 0.2 ms; a dashboard's page makes three.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote_plus

import aiohttp
import orjson
from opentelemetry import trace
from opentelemetry.propagate import inject
from yarl import URL

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
tracer = trace.get_tracer(__name__)

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
# Connections kept open to each service, as many as requests may wait on it at once.
CONNECTIONS_PER_SERVICE = 100
# How long an idle connection is kept: shorter than the services keep theirs
# (zwk_common.serve.KEEP_ALIVE_SECONDS), so the gateway never reuses one a service is closing.
IDLE_CONNECTION_SECONDS = 15.0


# What `urlencode` leaves as it is. Most values of a call are ids, 100 of them on a dashboard's
# page: they are taken as they are instead of quoted character by character.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


def _quoted(text: str) -> str:
    return text if _UNRESERVED.fullmatch(text) else quote_plus(text)


def query_string(params: Mapping[str, Any] | None) -> str:
    """The query of a call, as `urlencode` writes it: a list repeats its key, a boolean is
    `true`/`false`, None is left out."""
    parts: list[str] = []
    for key, value in (params or {}).items():
        name = _quoted(key)
        for item in value if isinstance(value, list | tuple) else (value,):
            if item is None:
                continue
            text = ("true" if item else "false") if isinstance(item, bool) else str(item)
            parts.append(f"{name}={_quoted(text)}")
    return "&".join(parts)


class ServiceClients:
    """The gateway's HTTP client, pooling connections per service; `calls` counts requests per service,
    and `paths`, once a test sets it, per service and path (paths carry ids: never counted in service).

    Made on the gateway's start, inside its event loop, as aiohttp requires.
    """

    def __init__(self, settings: Settings) -> None:
        self.base_urls = {name: str(getattr(settings, f"{name}_url")).rstrip("/") for name in SERVICES}
        # Like a read timeout: an answer may take as long as it keeps sending; silence for this long ends it.
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=settings.service_connect_timeout_seconds,
            sock_read=settings.service_timeout_seconds,
        )
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=CONNECTIONS_PER_SERVICE * len(SERVICES),
                limit_per_host=CONNECTIONS_PER_SERVICE,
                keepalive_timeout=IDLE_CONNECTION_SECONDS,
            ),
            timeout=timeout,
            json_serialize=lambda value: orjson.dumps(value).decode(),
        )
        self.calls: dict[str, int] = dict.fromkeys(SERVICES, 0)
        self.paths: Counter[tuple[str, str]] | None = None

    async def close(self) -> None:
        await self.session.close()

    async def request(
        self,
        service: str,
        method: str,
        path: str,
        *,
        token: str | None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        self.calls[service] += 1
        if self.paths is not None:
            self.paths[service, path] += 1
        headers = {**(headers or {}), **({"Authorization": f"Bearer {token}"} if token else {})}
        query = query_string(params)
        # Encoded here, once: the path's segments are quoted by the sources, the query by urlencode.
        target = self.base_urls[service] + path + (f"?{query}" if query else "")
        # A client span for every call, its context sent on: the service's request continues the
        # trace. Made here, from what the call already knows: aiohttp's instrumentation parsed and
        # redacted every URL again in its hooks, 7 % of the gateway's CPU under the pipeline.
        with tracer.start_as_current_span(
            method, kind=trace.SpanKind.CLIENT, attributes={"http.method": method, "http.url": target}
        ) as span:
            inject(headers)
            status, body = await self._send(service, method, path, URL(target, encoded=True), headers, json)
            span.set_attribute("http.status_code", status)
            if status >= 400:
                span.set_status(trace.StatusCode.ERROR)
        if status >= 400:
            raise problem_to_error(service, status, body)
        # orjson: a page of 100 municipalities with their processes and practices is half a megabyte
        # of JSON, which the standard library decodes at a quarter of the speed.
        return orjson.loads(body) if body else None

    async def _send(
        self, service: str, method: str, path: str, url: URL, headers: dict[str, str], json: Any
    ) -> tuple[int, bytes]:
        try:
            async with self.session.request(method, url, headers=headers, json=json) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            log.warning("%s %s %s: no answer in time", service, method, path)
            raise GatewayError(
                f"The {SERVICE_NAMES[service]} service did not answer in time; try again shortly.",
                SERVICE_UNAVAILABLE,
                service=service,
            ) from exc
        except aiohttp.ClientError as exc:
            log.warning("%s %s %s: %s", service, method, path, type(exc).__name__)
            raise GatewayError(
                f"The {SERVICE_NAMES[service]} service cannot be reached; try again shortly.",
                SERVICE_UNAVAILABLE,
                service=service,
            ) from exc


def problem_to_error(service: str, status: int, body: bytes) -> GatewayError:
    """The caller's view of a refusal: the service's own explanation, never its internals."""
    try:
        problem = orjson.loads(body)
    except orjson.JSONDecodeError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    if status >= 500 or status == 429:
        log.warning("%s answered %s: %s", service, status, problem.get("title"))
        code = "RATE_LIMITED" if status == 429 else SERVICE_UNAVAILABLE
        return GatewayError(
            f"The {SERVICE_NAMES[service]} service could not answer; try again shortly.", code, service=service
        )
    given_code = problem.get("code")
    code = given_code if given_code in PASSED_ON_CODES else CODE_BY_STATUS.get(status, BAD_USER_INPUT)
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
