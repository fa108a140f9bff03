"""Embedded servers start on a port of their own, even when someone else took the one they picked."""

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from zwk_common import embedded
from zwk_common.embedded import EmbeddedNats, EmbeddedPostgres, ExitedAtStart, free_port


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port someone else listens on."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        yield int(listening.getsockname()[1])


@pytest.fixture
def first_pick_taken(taken_port: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """`free_port` hands out the taken port first, as it may when a parallel worker binds it in between."""
    picks = iter([taken_port])
    monkeypatch.setattr(embedded, "free_port", lambda preferred=None: next(picks, None) or free_port(preferred))
    return taken_port


SERVERS: dict[str, Callable[[Path], EmbeddedNats | EmbeddedPostgres]] = {
    "nats": lambda home: EmbeddedNats(home / "nats"),
    "postgresql": lambda home: EmbeddedPostgres(home / "pg", durable=False),
}


@pytest.mark.parametrize("kind", SERVERS)
def test_a_server_on_a_port_it_picked_that_was_taken_moves_to_another(
    kind: str, first_pick_taken: int, tmp_path: Path
) -> None:
    server = SERVERS[kind](tmp_path)
    assert server.port == first_pick_taken
    try:
        url = server.start()
        assert server.port != first_pick_taken
        assert f"127.0.0.1:{server.port}" in url
        assert server.process is not None and server.process.poll() is None
    finally:
        server.stop()


def test_nats_on_a_given_port_that_is_taken_refuses_to_start(taken_port: int, tmp_path: Path) -> None:
    server = EmbeddedNats(tmp_path / "nats", port=taken_port)
    with pytest.raises(ExitedAtStart):
        server.start()
    assert server.port == taken_port
    assert server.process is not None and server.process.poll() is not None


def test_nats_restarts_on_the_port_it_started_on(tmp_path: Path) -> None:
    server = EmbeddedNats(tmp_path / "nats")
    try:
        server.start()
        port = server.port
        server.stop()
        server.start()
        assert server.port == port
        assert server.process is not None and server.process.poll() is None
    finally:
        server.stop()
