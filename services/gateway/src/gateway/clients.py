"""One pooled HTTP client per service; service problems become GraphQL errors."""

from __future__ import annotations

from typing import Any

import httpx
from graphql import GraphQLError

from gateway.config import Settings

SERVICES = ("kommunen", "prozess", "austausch", "benachrichtigung")


class ServiceError(GraphQLError):
    """A service's problem details as a GraphQL error with `extensions.code`."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, extensions={"code": code})


class ServiceClients:
    def __init__(self, settings: Settings) -> None:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        timeout = httpx.Timeout(settings.service_timeout_seconds)
        self.clients = {
            name: httpx.AsyncClient(base_url=getattr(settings, f"{name}_url"), limits=limits, timeout=timeout)
            for name in SERVICES
        }
        self.calls: dict[str, int] = dict.fromkeys(SERVICES, 0)

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    async def request(self, service: str, method: str, path: str, *, token: str | None, **kwargs: Any) -> Any:
        self.calls[service] += 1
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = await self.clients[service].request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            raise ServiceError(f"The {service} service did not answer in time.", "SERVICE_UNAVAILABLE") from exc
        except httpx.HTTPError as exc:
            raise ServiceError(f"The {service} service cannot be reached.", "SERVICE_UNAVAILABLE") from exc
        if response.status_code >= 400:
            raise _to_error(service, response)
        return response.json() if response.content else None


def _to_error(service: str, response: httpx.Response) -> ServiceError:
    try:
        problem = response.json()
    except ValueError:
        problem = {}
    code = problem.get("code") if isinstance(problem, dict) else None
    if response.status_code >= 500:
        # Nothing internal crosses the gateway: the caller learns which part failed, not how.
        return ServiceError(f"The {service} service failed to answer.", code or "SERVICE_UNAVAILABLE")
    message = problem.get("detail") or problem.get("title") or "The request was refused."
    return ServiceError(message, code or "BAD_USER_INPUT")
