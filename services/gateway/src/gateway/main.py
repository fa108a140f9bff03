"""The gateway app; how `zwk` runs it is in `gateway.spec`."""

from datetime import timedelta

from fastapi import FastAPI

from gateway.clients import ServiceClients
from gateway.config import Settings
from gateway.context import build_context
from gateway.http import GatewayRouter
from gateway.protection import BodySizeLimit
from gateway.schema import build_schema
from gateway.subscriptions import EventHub
from zwk_common.service import Runtime, ServiceDefinition, create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    async def open_clients(runtime: Runtime) -> None:
        runtime.extras["clients"] = ServiceClients(settings)
        runtime.extras["hub"] = EventHub(runtime.bus, buffer=settings.subscription_buffer)

    async def close_clients(runtime: Runtime) -> None:
        await runtime.extras["hub"].close()
        await runtime.extras["clients"].close()

    graphql = GatewayRouter(
        build_schema(settings),
        path="/graphql",
        context_getter=build_context,
        graphql_ide="graphiql" if settings.serves_graphiql else None,
        allow_queries_via_get=True,
        connection_init_wait_timeout=timedelta(seconds=10),
        max_subscriptions_per_connection=20,
    )
    app = create_service_app(
        ServiceDefinition(
            name="gateway",
            settings=settings,
            routers=[graphql],
            on_startup=[open_clients],
            on_shutdown=[close_clients],
            description="One GraphQL API over every ZWK service.",
        )
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    return app
