"""The benachrichtigung app; how `zwk` runs it is in `benachrichtigung.spec`."""

from datetime import timedelta

from fastapi import FastAPI

from benachrichtigung.config import Settings
from benachrichtigung.delivery.digests import collect_digests
from benachrichtigung.delivery.endpoints import deliveries_router, webhooks_router
from benachrichtigung.delivery.worker import DeliveryWorker
from benachrichtigung.handlers import event_handlers
from benachrichtigung.models import inbox, metadata, outbox
from benachrichtigung.notifications.endpoints import preferences_router, unsubscribe_router
from benachrichtigung.notifications.endpoints import router as inbox_router
from benachrichtigung.recipients.endpoints import router as office_users_router
from zwk_common.service import Job, Runtime, ServiceDefinition, create_service_app

WORKER = "deliveries"


def delivery_worker(runtime: Runtime) -> DeliveryWorker:
    """The runtime's one delivery worker (the queue's consumer in this process)."""
    worker = runtime.extras.get(WORKER)
    if worker is None:
        if runtime.sessions is None:
            raise RuntimeError("benachrichtigung needs its database")
        worker = runtime.extras[WORKER] = DeliveryWorker(runtime.sessions, runtime.settings)  # type: ignore[arg-type]
    return worker  # type: ignore[no-any-return]


async def send_due(runtime: Runtime) -> None:
    await delivery_worker(runtime).tick()


async def run_digests(runtime: Runtime) -> None:
    if runtime.sessions is not None:
        await collect_digests(runtime.sessions, runtime.settings)  # type: ignore[arg-type]


async def stop_worker(runtime: Runtime) -> None:
    worker = runtime.extras.get(WORKER)
    if worker is not None:
        await worker.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(
        ServiceDefinition(
            name="benachrichtigung",
            settings=settings,
            routers=[
                inbox_router,
                preferences_router,
                unsubscribe_router,
                webhooks_router,
                deliveries_router,
                office_users_router,
            ],
            metadata=metadata,
            outbox=outbox,
            inbox=inbox,
            handlers=event_handlers(settings),
            # A stage event tells the recipients of its municipality and touches nothing else, so
            # municipalities are told side by side. Follows and contacts keep the stream's order:
            # who is told of a publication depends on the follows before it.
            parallel_by_entity=frozenset({"prozess"}),
            jobs=[
                Job("deliveries", timedelta(seconds=settings.delivery_poll_seconds), send_due),
                Job("digests", timedelta(seconds=settings.digest_poll_seconds), run_digests),
            ],
            on_shutdown=[stop_worker],
            description="Notifications: inbox, e-mail, signed webhooks, digests, preferences.",
        )
    )
