"""Thin HTTP routes of webhook endpoints and the delivery log."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status

from benachrichtigung.config import Settings
from benachrichtigung.delivery import service
from benachrichtigung.delivery.schemas import (
    Delivery,
    DeliveryStatus,
    WebhookEndpoint,
    WebhookEndpointCreate,
    WebhookEndpointUpdate,
    WebhookEndpointWithSecret,
)
from benachrichtigung.rules import Channel
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep
from zwk_common.pagination import Page, PageDep

webhooks_router = APIRouter(prefix="/webhooks", tags=["webhooks"])
deliveries_router = APIRouter(prefix="/deliveries", tags=["delivery log"])


def _settings(request: Request) -> Settings:
    return request.app.state.runtime.settings  # type: ignore[no-any-return]


@webhooks_router.post("", status_code=status.HTTP_201_CREATED, response_model=WebhookEndpointWithSecret)
async def register_endpoint(
    data: WebhookEndpointCreate, session: SessionDep, caller: CallerDep, request: Request
) -> WebhookEndpointWithSecret:
    """Register an endpoint of the caller's organisation; the answer holds its signing secret, once."""
    return await service.register_endpoint(session, caller, data, _settings(request))


@webhooks_router.get("", response_model=list[WebhookEndpoint])
async def list_endpoints(
    session: SessionDep,
    caller: CallerDep,
    organisation: Annotated[
        str | None, Query(max_length=64, description="the office may name another organisation")
    ] = None,
) -> list[WebhookEndpoint]:
    return await service.endpoints(session, caller, organisation)


@webhooks_router.get("/{endpoint_id}", response_model=WebhookEndpoint)
async def get_endpoint(endpoint_id: UUID, session: SessionDep, caller: CallerDep) -> WebhookEndpoint:
    return await service.endpoint(session, caller, endpoint_id)


@webhooks_router.patch("/{endpoint_id}", response_model=WebhookEndpoint)
async def change_endpoint(
    endpoint_id: UUID, data: WebhookEndpointUpdate, session: SessionDep, caller: CallerDep, request: Request
) -> WebhookEndpoint:
    return await service.change_endpoint(session, caller, endpoint_id, data, _settings(request))


@webhooks_router.post("/{endpoint_id}/secret", response_model=WebhookEndpointWithSecret)
async def rotate_secret(endpoint_id: UUID, session: SessionDep, caller: CallerDep) -> WebhookEndpointWithSecret:
    """A new signing secret; the old one stops signing at once."""
    return await service.rotate_secret(session, caller, endpoint_id)


@webhooks_router.delete("/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_endpoint(endpoint_id: UUID, session: SessionDep, caller: CallerDep) -> Response:
    await service.remove_endpoint(session, caller, endpoint_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@webhooks_router.get("/{endpoint_id}/deliveries", response_model=Page[Delivery])
async def endpoint_log(
    endpoint_id: UUID,
    session: SessionDep,
    caller: CallerDep,
    page: PageDep,
    status: DeliveryStatus | None = None,
) -> Page[Delivery]:
    """The delivery log of one endpoint, newest first, each call with its attempts."""
    return await service.endpoint_log(session, caller, endpoint_id, page, status)


@deliveries_router.get("", response_model=Page[Delivery])
async def delivery_log(
    session: SessionDep,
    caller: CallerDep,
    page: PageDep,
    channel: Channel | None = None,
    status: DeliveryStatus | None = None,
    endpoint_id: UUID | None = None,
) -> Page[Delivery]:
    """Every e-mail and webhook call with its attempts (the office only)."""
    return await service.delivery_log(session, caller, page, channel=channel, status=status, endpoint_id=endpoint_id)


@deliveries_router.get("/{delivery_id}", response_model=Delivery)
async def get_delivery(delivery_id: UUID, session: SessionDep, caller: CallerDep) -> Delivery:
    return await service.delivery(session, caller, delivery_id)
