"""The per-request context: the verified caller, the service clients, and fresh DataLoaders."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from starlette.requests import HTTPConnection
from strawberry.fastapi import BaseContext

from gateway.clients import ServiceClients
from gateway.config import Settings
from gateway.errors import FORBIDDEN, UNAUTHENTICATED, GatewayError
from gateway.sources.austausch import Austausch
from gateway.sources.benachrichtigung import Benachrichtigung
from gateway.sources.kommunen import Kommunen
from gateway.sources.prozess import Prozess
from gateway.subscriptions import EventHub
from zwk_common.auth import Caller, Role, TokenVerifier
from zwk_common.errors import Problem

# The cached properties of a context that hold loaders.
SOURCES = ("kommunen", "prozess", "austausch", "benachrichtigung")


class Context(BaseContext):
    def __init__(
        self,
        clients: ServiceClients,
        settings: Settings,
        verifier: TokenVerifier,
        hub: EventHub | None,
        caller: Caller | None,
        auth_error: str | None,
    ) -> None:
        super().__init__()
        self.clients = clients
        self.settings = settings
        self.verifier = verifier
        self.hub = hub
        self._caller = caller
        self._auth_error = auth_error

    @property
    def caller(self) -> Caller:
        if self._caller is None:
            raise GatewayError(self._auth_error or "Send a bearer token in the Authorization header.", UNAUTHENTICATED)
        return self._caller

    def require_writer(self) -> Caller:
        caller = self.caller
        if caller.role is Role.READER:
            raise GatewayError("A reader token is read-only: it cannot call a mutation.", FORBIDDEN)
        return caller

    async def authenticate(self, token: str) -> None:
        """Adopt the caller of a token sent after the handshake (graphql-transport-ws `connection_init`)."""
        try:
            self._caller = await self.verifier.verify(token)
            self._auth_error = None
        except Problem as problem:
            self._caller, self._auth_error = None, problem.detail

    async def call(self, service: str, method: str, path: str, **kwargs: Any) -> Any:
        return await self.clients.request(service, method, path, token=self.caller.token, **kwargs)

    # Loaders live as long as one request (or one subscription event): nothing cached leaks between callers.
    @cached_property
    def kommunen(self) -> Kommunen:
        return Kommunen(self.call)

    @cached_property
    def prozess(self) -> Prozess:
        return Prozess(self.call)

    @cached_property
    def austausch(self) -> Austausch:
        return Austausch(self.call)

    @cached_property
    def benachrichtigung(self) -> Benachrichtigung:
        return Benachrichtigung(self.call)

    def forget_loaded(self) -> None:
        """Drop every loader, so that the next subscription event reads current data (or, at the end of
        a request, so that what it loaded goes at once).

        A source holds this context's `call` and its loaders, whose functions are closures over the
        source: reference cycles, which only the garbage collector frees. A dashboard's page left
        about 2,000 objects so, and the gateway spent a full collection of 25 to 30 ms on them every
        twenty pages. Emptied here, the sources and all they loaded go by their reference counts.
        """
        for name in SOURCES:
            source = self.__dict__.pop(name, None)
            if source is not None:
                source.__dict__.clear()


def bearer_token(connection: HTTPConnection) -> str | None:
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def build_context(connection: HTTPConnection) -> Context:
    runtime = connection.app.state.runtime
    context = Context(
        runtime.extras["clients"], runtime.settings, runtime.verifier, runtime.extras.get("hub"), None, None
    )
    token = bearer_token(connection)
    if token is not None:
        await context.authenticate(token)
    return context
