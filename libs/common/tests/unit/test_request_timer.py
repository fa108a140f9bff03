"""Request latency is observed by route, method and status, also when the app fails."""

import httpx
from fastapi import FastAPI
from prometheus_client import REGISTRY

from zwk_common.metrics import RequestTimer


def count(route: str, method: str, status: str) -> float:
    labels = {"route": route, "method": method, "status": status}
    return REGISTRY.get_sample_value("zwk_request_seconds_count", labels) or 0.0


def timed_app() -> FastAPI:
    app = FastAPI()

    @app.get("/timer-probe/{item}")
    async def probe(item: str) -> dict[str, str]:
        if item == "broken":
            raise RuntimeError("the app fails before it answers")
        return {"item": item}

    app.add_middleware(RequestTimer)
    return app


async def test_a_request_is_counted_under_its_route_template_and_status() -> None:
    before = count("/timer-probe/{item}", "GET", "200"), count("unmatched", "GET", "404")
    transport = httpx.ASGITransport(app=timed_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/timer-probe/a")).status_code == 200
        assert (await client.get("/timer-probe/b")).status_code == 200
        assert (await client.get("/nowhere")).status_code == 404
    assert count("/timer-probe/{item}", "GET", "200") == before[0] + 2
    assert count("unmatched", "GET", "404") == before[1] + 1


async def test_a_failing_request_is_counted_as_a_500() -> None:
    before = count("/timer-probe/{item}", "GET", "500")
    transport = httpx.ASGITransport(app=timed_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/timer-probe/broken")).status_code == 500
    assert count("/timer-probe/{item}", "GET", "500") == before + 1
