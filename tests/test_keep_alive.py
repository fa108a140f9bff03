"""Idle connections between the gateway and the services: the gateway always lets go first."""

import asyncio
from typing import Any

from gateway.clients import IDLE_CONNECTION_SECONDS
from zwk_common.serve import KEEP_ALIVE_SECONDS

REQUEST = b"GET /healthz HTTP/1.1\r\nHost: zwk.test\r\n\r\n"


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
    writer.write(REQUEST)
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
    length = next(
        int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    await asyncio.wait_for(reader.readexactly(length), timeout=10)
    return head.split(b"\r\n", 1)[0]


async def test_a_service_keeps_an_idle_connection_longer_than_the_gateway_does(start_services: Any) -> None:
    # A connection the service closes while the gateway reuses it fails that request.
    assert IDLE_CONNECTION_SECONDS < KEEP_ALIVE_SECONDS
    kommunen = (await start_services("kommunen"))["kommunen"]
    reader, writer = await asyncio.open_connection("127.0.0.1", kommunen.port)
    try:
        assert await _answer(reader, writer) == b"HTTP/1.1 200 OK"
        # Idle past uvicorn's own default of 5 s: the service still holds the connection.
        await asyncio.sleep(6.5)
        assert not reader.at_eof()
        assert await _answer(reader, writer) == b"HTTP/1.1 200 OK"
    finally:
        writer.close()
