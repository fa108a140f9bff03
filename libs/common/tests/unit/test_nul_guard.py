"""NUL never reaches a service's code: refused as invalid input wherever it is in the request."""

import json

import httpx
import pytest
from fastapi import FastAPI, Request

from zwk_common.errors import install_problem_handlers
from zwk_common.inputs import NUL_DETAIL, NulGuard


def guarded_app() -> tuple[FastAPI, list[object]]:
    reached: list[object] = []
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(NulGuard)

    @app.post("/echo")
    async def echo(request: Request) -> object:
        body = await request.json()
        reached.append(body)
        return body

    @app.get("/items/{key}")
    async def item(key: str, q: str = "") -> dict[str, str]:
        reached.append((key, q))
        return {"key": key, "q": q}

    return app, reached


async def ask(app: FastAPI, method: str, url: str, **kwargs: object) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://zwk") as client:
        return await client.request(method, url, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("method", "url", "content"),
    [
        ("POST", "/echo", json.dumps({"name": "Nord\u0000stadt"})),
        ("POST", "/echo", json.dumps({"deep": [{"text": "a\u0000"}]})),
        ("POST", "/echo", b'{"raw": "a\x00b"}'),
        ("GET", "/items/a%00b", None),
        ("GET", "/items/a?q=x%00y", None),
    ],
)
async def test_nul_anywhere_is_refused_before_the_service_sees_it(method: str, url: str, content: object) -> None:
    app, reached = guarded_app()
    answer = await ask(app, method, url, content=content, headers={"content-type": "application/json"})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "BAD_USER_INPUT"
    assert answer.json()["detail"] == NUL_DETAIL
    assert reached == []


async def test_a_written_backslash_u0000_is_text_and_passes() -> None:
    app, reached = guarded_app()
    # The text \u0000 (a backslash and five letters), which JSON spells with an escaped backslash.
    text = {"code": "\\u0000 and \\\\u0000"}
    answer = await ask(app, "POST", "/echo", content=json.dumps(text), headers={"content-type": "application/json"})
    assert answer.status_code == 200
    assert answer.json() == text
    assert reached == [text]


async def test_a_large_body_arriving_in_parts_reaches_the_service_whole() -> None:
    app, reached = guarded_app()
    text = {"body": "Mitfahrbank " * 20_000}

    async def parts():  # type: ignore[no-untyped-def]
        encoded = json.dumps(text).encode()
        for start in range(0, len(encoded), 4096):
            yield encoded[start : start + 4096]

    answer = await ask(app, "POST", "/echo", content=parts(), headers={"content-type": "application/json"})
    assert answer.status_code == 200
    assert reached == [text]
