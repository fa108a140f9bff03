"""The per-request context: the verified caller, the service clients, and fresh DataLoaders."""

from __future__ import annotations

from functools import cached_property
from typing import Any
from uuid import UUID

from fastapi import Request
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from gateway.clients import ServiceClients, ServiceError
from zwk_common.auth import Caller
from zwk_common.errors import Problem


class Context(BaseContext):
    def __init__(self, clients: ServiceClients, caller: Caller | None, auth_error: str | None) -> None:
        super().__init__()
        self.clients = clients
        self._caller = caller
        self._auth_error = auth_error

    @property
    def caller(self) -> Caller:
        if self._caller is None:
            raise ServiceError(self._auth_error or "Send a bearer token.", "UNAUTHENTICATED")
        return self._caller

    async def call(self, service: str, method: str, path: str, **kwargs: Any) -> Any:
        return await self.clients.request(service, method, path, token=self.caller.token, **kwargs)

    @cached_property
    def processes(self) -> DataLoader[UUID, list[dict[str, Any]]]:
        async def load(ids: list[UUID]) -> list[list[dict[str, Any]]]:
            found = await self.call("prozess", "GET", "/processes", params={"municipality_id": [str(i) for i in ids]})
            by_id: dict[str, list[dict[str, Any]]] = {}
            for process in found:
                by_id.setdefault(process["municipality_id"], []).append(process)
            return [by_id.get(str(i), []) for i in ids]

        return DataLoader(load_fn=load, max_batch_size=100)


async def build_context(request: Request) -> Context:
    runtime = request.app.state.runtime
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    caller, error = None, None
    if scheme.lower() == "bearer" and token.strip():
        try:
            caller = await runtime.verifier.verify(token.strip())
        except Problem as problem:
            error = problem.detail
    return Context(runtime.extras["clients"], caller, error)
