"""RFC 9457 problem details for every non-2xx answer; nothing internal leaks."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
import asyncpg.exceptions
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://zwk.example/problems/"

# The codes the gateway turns into GraphQL `extensions.code`.
CODES = {
    400: "BAD_USER_INPUT",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    413: "BAD_USER_INPUT",
    422: "BAD_USER_INPUT",
    429: "RATE_LIMITED",
    503: "SERVICE_UNAVAILABLE",
}


class Problem(Exception):
    """An error answered as problem details; raise it from service code."""

    status: int = 400
    title: str = "Bad request"
    slug: str = "bad-request"

    def __init__(self, detail: str, *, title: str | None = None, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if title is not None:
            self.title = title
        self.extensions = extensions

    def body(self, instance: str | None = None) -> dict[str, Any]:
        return problem_body(self.status, self.title, self.detail, slug=self.slug, instance=instance, **self.extensions)


class BadInput(Problem):
    status, title, slug = 422, "Invalid input", "invalid-input"


class Unauthenticated(Problem):
    status, title, slug = 401, "Not authenticated", "unauthenticated"


class Forbidden(Problem):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(Problem):
    status, title, slug = 404, "Not found", "not-found"


class Conflict(Problem):
    status, title, slug = 409, "Conflict", "conflict"


class ServiceUnavailable(Problem):
    status, title, slug = 503, "Service unavailable", "service-unavailable"


# What the database says while it is down, starting, shutting down or out of
# connections: the request or event is not at fault, and the same call succeeds later.
_DATABASE_OUTAGES: tuple[type[BaseException], ...] = (
    OSError,  # refused or reset connections, and connect timeouts (TimeoutError is an OSError)
    PoolTimeoutError,
    OperationalError,
    InterfaceError,
    asyncpg.PostgresConnectionError,  # class 08, e.g. "connection was closed in the middle of operation"
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,  # "the database system is starting up"
    asyncpg.exceptions.InsufficientResourcesError,  # class 53, e.g. too many connections
    asyncpg.exceptions.InterfaceError,
)


def is_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database (or a connection to it) is gone, rather than that the work is wrong."""
    seen: set[int] = set()
    current: BaseException | None = exc
    # SQLAlchemy wraps the driver's error (`orig`), which wraps asyncpg's (`__cause__`).
    while current is not None and id(current) not in seen and len(seen) < 8:
        seen.add(id(current))
        if isinstance(current, _DATABASE_OUTAGES):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        current = getattr(current, "orig", None) or current.__cause__
    return False


def problem_body(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    slug: str | None = None,
    instance: str | None = None,
    **extensions: Any,
) -> dict[str, Any]:
    """A problem-details document with the `code` extension the gateway relies on."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug if slug else "about:blank",
        "title": title,
        "status": status,
        "code": CODES.get(status, "INTERNAL" if status >= 500 else "BAD_USER_INPUT"),
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extensions)
    return body


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON, headers=headers)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for error in exc.errors():
        # The offending input is left out: it may be huge or personal.
        # The first part says where (body, query, path); a field named "body" stays.
        parts = list(error.get("loc", ()))
        location = [str(part) for part in (parts[1:] if parts[:1] == ["body"] else parts)]
        errors.append({"field": ".".join(location) or None, "message": error.get("msg", "")})
    return errors


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of `app` as problem details."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.body(request.url.path))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
        return problem_response(
            problem_body(
                422, "Invalid input", detail[:2000], slug="invalid-input", instance=request.url.path, errors=errors[:50]
            )
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else None
        title = {404: "Not found", 405: "Method not allowed", 413: "Request too large"}.get(
            exc.status_code, "Request failed"
        )
        return problem_response(
            problem_body(exc.status_code, title, detail, instance=request.url.path),
            headers=getattr(exc, "headers", None),
        )

    async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable on %s: %s", request.url.path, type(exc).__name__)
        return problem_response(
            problem_body(
                503,
                "Service unavailable",
                "The database cannot be reached; try again shortly.",
                slug="service-unavailable",
                instance=request.url.path,
            ),
            headers={"Retry-After": "5"},
        )

    async def _database(request: Request, exc: Exception) -> JSONResponse:
        if is_unavailable(exc):
            return await _unavailable(request, exc)
        log.exception("database error on %s", request.url.path)
        return problem_response(problem_body(500, "Internal error", instance=request.url.path))

    # Registered by class so that these answers never reach the server-error
    # middleware, which would log each one of an outage as a crash.
    for outage in (*_DATABASE_OUTAGES, DBAPIError, asyncpg.PostgresError):
        app.add_exception_handler(outage, _database)  # type: ignore[arg-type]

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        if is_unavailable(exc):
            return await _unavailable(request, exc)
        log.exception("unhandled error on %s", request.url.path)
        return problem_response(problem_body(500, "Internal error", instance=request.url.path))
