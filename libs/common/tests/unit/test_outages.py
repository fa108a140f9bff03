"""A database that is away answers 503 and is retried; a wrong event or request is not mistaken for one."""

from email.header import Header

import asyncpg.exceptions
import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, ValidationError
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from zwk_common.errors import install_problem_handlers, is_unavailable
from zwk_common.messaging import describe_error, header_text, is_conflict, is_transient, server_urls


def wrapped(error: Exception, *, invalidated: bool = False) -> DBAPIError:
    """What SQLAlchemy raises for an asyncpg error: its own error around the adapter's, around asyncpg's."""
    adapted = AsyncAdapt_asyncpg_dbapi.Error(f"{type(error)}: {error}")
    adapted.__cause__ = error
    return DBAPIError(
        "INSERT INTO prozess.stages ...", {"name": "geheim@example.org"}, adapted, connection_invalidated=invalidated
    )


OUTAGES = [
    ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
    TimeoutError(),
    asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
    wrapped(asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation")),
    wrapped(asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command")),
    wrapped(ValueError("anything"), invalidated=True),
    PoolTimeoutError("QueuePool limit of size 5 overflow 5 reached"),
]
NOT_OUTAGES = [
    wrapped(asyncpg.exceptions.RaiseError("Umlaute werden nicht unterstützt")),
    wrapped(asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout")),
    IntegrityError("INSERT", {}, Exception("duplicate key")),
    ValueError("kaputt"),
]


@pytest.mark.parametrize("error", OUTAGES, ids=lambda e: type(e).__name__)
def test_an_unreachable_database_is_an_outage(error: Exception) -> None:
    assert is_unavailable(error) and is_transient(error)


@pytest.mark.parametrize("error", NOT_OUTAGES, ids=lambda e: type(e).__name__)
def test_a_failing_statement_is_no_outage(error: Exception) -> None:
    assert not is_unavailable(error) and not is_transient(error)


def test_a_deadlock_is_a_conflict_that_is_retried_and_no_outage() -> None:
    deadlock = wrapped(asyncpg.exceptions.DeadlockDetectedError("deadlock detected"))
    assert is_conflict(deadlock) and not is_unavailable(deadlock)
    assert not is_conflict(wrapped(asyncpg.exceptions.RaiseError("nein")))


def app_raising(error: Exception) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/municipalities")
    async def register() -> None:
        raise error

    return app


@pytest.mark.parametrize("error", OUTAGES, ids=lambda e: type(e).__name__)
async def test_a_request_meeting_an_outage_gets_a_clear_503_problem(error: Exception) -> None:
    transport = httpx.ASGITransport(app=app_raising(error))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.post("/municipalities")
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"] == "5"
    assert answer.json() == {
        "type": "https://zwk.example/problems/service-unavailable",
        "title": "Service unavailable",
        "status": 503,
        "code": "SERVICE_UNAVAILABLE",
        "detail": "The database cannot be reached; try again shortly.",
        "instance": "/municipalities",
    }


async def test_a_failing_statement_is_an_internal_error_that_tells_nothing() -> None:
    transport = httpx.ASGITransport(app=app_raising(NOT_OUTAGES[0]))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.post("/municipalities")
    assert answer.status_code == 500
    assert answer.json() == {
        "type": "about:blank",
        "title": "Internal error",
        "status": 500,
        "code": "INTERNAL",
        "instance": "/municipalities",
    }


class Registered(BaseModel):
    name: str
    population: int


def test_the_error_of_a_dead_letter_is_short_and_without_parameters_or_addresses() -> None:
    failed = describe_error(wrapped(asyncpg.exceptions.RaiseError("Umlaute werden nicht unterstützt: Süderhastedt")))
    assert failed == "DBAPIError (RaiseError): Umlaute werden nicht unterstützt: Süderhastedt"
    assert (
        describe_error(ValueError("an anna@dortmund.de\nzweite Zeile"))
        == "ValueError: an ***@dortmund.de\nzweite Zeile"
    )
    with pytest.raises(ValidationError) as invalid:
        Registered.model_validate({"name": "kontakt@riesa.de", "population": "viele"})
    assert describe_error(invalid.value) == (
        "ValidationError: population: Input should be a valid integer, unable to parse string as an integer"
    )
    assert len(describe_error(ValueError("x" * 5000))) == 1000


def test_header_values_with_umlauts_read_as_text() -> None:
    assert header_text("ValueError: kaputt") == "ValueError: kaputt"
    raw = Header("Umlaute: Süderhastedt".encode(), "unknown-8bit")  # as the client parses UTF-8 headers
    assert header_text(raw) == "Umlaute: Süderhastedt"


def test_a_cluster_is_named_by_several_urls() -> None:
    assert server_urls("nats://127.0.0.1:4222") == ["nats://127.0.0.1:4222"]
    assert server_urls(" nats://a:4222, nats://b:4222 ,") == ["nats://a:4222", "nats://b:4222"]
