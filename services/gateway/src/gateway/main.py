"""The gateway app and how `zwk` runs it."""

from fastapi import FastAPI
from strawberry.fastapi import GraphQLRouter

from gateway.clients import ServiceClients
from gateway.config import Settings
from gateway.context import build_context
from gateway.schema import schema
from zwk_common.registry import ServiceSpec
from zwk_common.service import Runtime, ServiceDefinition, create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    async def open_clients(runtime: Runtime) -> None:
        runtime.extras["clients"] = ServiceClients(settings)

    async def close_clients(runtime: Runtime) -> None:
        await runtime.extras["clients"].close()

    graphql = GraphQLRouter(
        schema, path="/graphql", context_getter=build_context, graphql_ide="graphiql" if settings.graphiql else None
    )
    return create_service_app(
        ServiceDefinition(
            name="gateway",
            settings=settings,
            routers=[graphql],
            on_startup=[open_clients],
            on_shutdown=[close_clients],
            description="One GraphQL API over every ZWK service.",
        )
    )


spec = ServiceSpec(name="gateway", app="gateway.main:create_app", port=8000, order=90)
