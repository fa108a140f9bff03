"""What the fault scenarios share: registrations under real keys, and the proof that each change arrived once.

Every loop here is bounded in count and in time.
"""

from __future__ import annotations

import asyncio
import csv
import json
import uuid
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import nats
import nats.errors
import nats.js.errors
import pytest

from zwk_common.events import Envelope
from zwk_common.messaging import server_urls
from zwk_common.testing import eventually, execute, fetch, fetch_value
from zwk_common.testing.plugin import bearer

GEMEINDEN = Path(__file__).resolve().parents[1] / "fixtures" / "gemeinden.csv"
REGISTERED = "zwk.kommunen.municipality.registered"
STAGES = ["KICK_OFF", "KOMMUNALPROFIL", "ZUKUNFTSWERKSTATT", "WERKSTATTPLAN", "ZWISCHENBILANZ"]


def gemeinden() -> list[dict[str, Any]]:
    """Real Gemeinden of the register (key, name, population)."""
    with GEMEINDEN.open(encoding="utf-8") as rows:
        return [{**row, "population": int(row["population"])} for row in csv.DictReader(rows)]


def registration(gemeinde: dict[str, Any]) -> dict[str, Any]:
    """The body the office posts to register a Gemeinde for the digital assistant."""
    return {
        "ags": gemeinde["ags"],
        "name": gemeinde["name"],
        "kind": "GEMEINDE",
        "population": gemeinde["population"],
        "programmes": ["DAKS"],
    }


def registered_event(gemeinde: dict[str, Any], bundesland: str = "BW") -> Envelope:
    """kommunen's event of a registered Gemeinde, as if kommunen had published it (for the consumers alone)."""
    municipality_id = str(uuid.uuid4())
    return Envelope(
        source="/zwk/kommunen",
        type=REGISTERED,
        subject=municipality_id,
        data={"municipality_id": municipality_id, "bundesland": bundesland, **registration(gemeinde)},
    )


@dataclass
class Answer:
    ags: str
    status: int | None
    body: Any
    content_type: str = ""
    error: str | None = None


@dataclass
class Registrar:
    """Registers Gemeinden through kommunen, `workers` at a time, and remembers every answer.

    A request that never reached the service (connection refused) is sent again;
    one whose answer was lost is recorded as unknown and not repeated.
    """

    url: Callable[[], str]
    token: str
    rows: Sequence[dict[str, Any]]
    workers: int = 4
    pause: float = 0.0
    time_limit: float = 90.0
    created: dict[str, str] = field(default_factory=dict)
    answers: list[Answer] = field(default_factory=list)
    refused: int = 0
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self._next = iter(self.rows)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> Registrar:
        self._task = asyncio.create_task(self._run())
        return self

    async def finish(self) -> None:
        self.stop.set()
        if self._task is not None:
            await asyncio.wait_for(self._task, timeout=30)

    async def until_created(self, count: int, timeout: float = 30) -> None:
        await eventually(
            self._created_at_least(count), timeout=timeout, message=f"fewer than {count} registrations answered 201"
        )

    async def until_answered(self, predicate: Callable[[Answer], bool], count: int, timeout: float = 30) -> None:
        async def enough() -> bool:
            return sum(1 for answer in self.answers if predicate(answer)) >= count

        await eventually(enough, timeout=timeout, message=f"fewer than {count} such answers")

    def _created_at_least(self, count: int) -> Callable[[], Any]:
        async def probe() -> bool:
            if self._task is not None and self._task.done():
                self._task.result()
                return len(self.created) >= count
            return len(self.created) >= count

        return probe

    async def _run(self) -> None:
        async with httpx.AsyncClient(timeout=10, headers=bearer(self.token)) as client:
            await asyncio.gather(*(self._work(client) for _ in range(self.workers)))

    async def _work(self, client: httpx.AsyncClient) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.time_limit
        row: dict[str, Any] | None = None
        while not self.stop.is_set() and loop.time() < deadline:
            if row is None:
                row = next(self._next, None)
                if row is None:
                    return
            try:
                response = await client.post(self.url() + "/municipalities", json=registration(row))
            except (httpx.ConnectError, httpx.ConnectTimeout):
                self.refused += 1
                await asyncio.sleep(0.05)
                continue
            except httpx.TransportError as exc:
                self.answers.append(Answer(row["ags"], None, None, error=type(exc).__name__))
                row = None
                continue
            try:
                body = response.json()
            except ValueError:
                body = response.text
            self.answers.append(
                Answer(row["ags"], response.status_code, body, response.headers.get("content-type", ""))
            )
            if response.status_code == 201:
                self.created[row["ags"]] = body["id"]
            row = None
            if self.pause:
                await asyncio.sleep(self.pause)


async def stream_events(nats_url: str, stream: str, subject: str, *, limit: int = 20_000) -> list[Envelope]:
    """Every event stored in the stream under `subject`, oldest first."""
    connection = await nats.connect(server_urls(nats_url), connect_timeout=2, max_reconnect_attempts=3)
    try:
        js = connection.jetstream(timeout=5)
        found: list[Envelope] = []
        sequence = 1
        while len(found) < limit:
            raw = await _stored_from(js, stream, subject, sequence)
            if raw is None:
                break
            found.append(Envelope.from_bytes(raw.data or b""))
            sequence = int(raw.seq or sequence) + 1
        return found
    finally:
        await connection.close()


async def _stored_from(js: Any, stream: str, subject: str, sequence: int, settle: float = 30) -> Any:
    """The first message under `subject` at or after `sequence`, or None.

    A cluster that just lost a node answers 503, or not at all, while it elects new leaders, though
    it loses nothing: the read is tried again for up to `settle` seconds before that counts.
    """
    loop = asyncio.get_running_loop()
    give_up_at = loop.time() + settle
    while True:
        try:
            return await js.get_msg(stream, seq=sequence, subject=subject, next=True)
        except nats.js.errors.NotFoundError:
            return None
        except (nats.js.errors.ServiceUnavailableError, nats.errors.TimeoutError):
            if loop.time() >= give_up_at:
                raise
            await asyncio.sleep(0.5)


async def stream_count(nats_url: str, stream: str, subject: str) -> int:
    connection = await nats.connect(server_urls(nats_url), connect_timeout=2, max_reconnect_attempts=3)
    try:
        info = await connection.jetstream(timeout=5).stream_info(stream, subjects_filter=subject)
        return sum((info.state.subjects or {}).values())
    finally:
        await connection.close()


async def assert_each_registration_arrived_once(
    *,
    database_url: str,
    nats_url: str,
    env: dict[str, str],
    registrar: Registrar,
    prozess_url: str,
    timeout: float = 60,
    also_published: Collection[str] = (),
) -> set[str]:
    """Every committed registration (each 201 among them) was published once and opened its process once.

    `also_published`: ids of municipalities whose registration the test published itself.
    """
    registered = {str(r["id"]) for r in await fetch(database_url, "SELECT id FROM kommunen.municipalities")}
    answered = set(registrar.created.values())
    assert answered <= registered, "a registration answered 201 is missing"
    assert len(registered) >= len(answered) > 0
    committed = registered | set(also_published)

    async def outbox_empty() -> bool:
        return await fetch_value(database_url, "SELECT count(*) FROM kommunen.outbox WHERE published_at IS NULL") == 0

    await eventually(outbox_empty, timeout=timeout, interval=0.2, message="the outbox was not emptied")
    subject = f"{env['ZWK_EVENT_SUBJECT_ROOT']}.kommunen.municipality.registered"
    events = await stream_events(nats_url, env["ZWK_EVENT_STREAM"], subject)
    published = [str(event.data["municipality_id"]) for event in events]
    assert sorted(published) == sorted(committed), "each committed registration is published exactly once"
    assert len({event.id for event in events}) == len(events)

    async def all_handled() -> bool:
        handled = await fetch_value(
            database_url, "SELECT count(*) FROM prozess.inbox WHERE consumer = 'prozess-kommunen'"
        )
        return handled == len(committed)

    await eventually(all_handled, timeout=timeout, interval=0.2, message="prozess did not handle every event")
    rows = await fetch(
        database_url,
        "SELECT p.municipality_id::text AS id, count(*) AS processes, sum(s.n) AS stages FROM prozess.processes p "
        "JOIN (SELECT process_id, count(*) AS n FROM prozess.stages GROUP BY process_id) s ON s.process_id = p.id "
        "GROUP BY p.municipality_id",
    )
    opened = {row["id"]: (row["processes"], row["stages"]) for row in rows}
    assert opened == {municipality: (1, 5) for municipality in committed}, "each process opened exactly once"
    # What the office sees: every registration it was told of has its five stages.
    ids = sorted(answered)
    async with httpx.AsyncClient(timeout=10, headers=bearer(registrar.token)) as client:
        for start in range(0, len(ids), 100):
            chunk = ids[start : start + 100]
            response = await client.get(prozess_url + "/processes", params=[("municipality_id", i) for i in chunk])
            assert response.status_code == 200, response.text
            seen = {p["municipality_id"]: [s["stage"] for s in p["stages"]] for p in response.json()}
            assert seen == {i: STAGES for i in chunk}
    return committed


def problem(answer: Answer) -> dict[str, Any]:
    assert answer.content_type.startswith("application/problem+json"), answer
    return answer.body if isinstance(answer.body, dict) else json.loads(answer.body)


class Chain:
    """The helpers of the fault scenarios, handed to each test by the `chain` fixture."""

    Registrar = Registrar
    gemeinden = staticmethod(gemeinden)
    registration = staticmethod(registration)
    registered_event = staticmethod(registered_event)
    fetch = staticmethod(fetch)
    execute = staticmethod(execute)
    fetch_value = staticmethod(fetch_value)
    stream_events = staticmethod(stream_events)
    stream_count = staticmethod(stream_count)
    assert_each_registration_arrived_once = staticmethod(assert_each_registration_arrived_once)
    problem = staticmethod(problem)

    def __init__(self, office: str) -> None:
        self.office = office
        self.registrars: list[Registrar] = []

    def registrar(self, url: Callable[[], str], rows: Sequence[dict[str, Any]], **options: Any) -> Registrar:
        """A registrar already writing; stopped when the test ends."""
        registrar = Registrar(url, self.office, rows, **options).start()
        self.registrars.append(registrar)
        return registrar


@pytest.fixture
async def chain(zwk_token: Callable[..., str]) -> AsyncIterator[Chain]:
    helpers = Chain(zwk_token("office", subject="geschaeftsstelle"))
    yield helpers
    for registrar in helpers.registrars:
        registrar.stop.set()
        if registrar._task is not None:
            registrar._task.cancel()
            await asyncio.gather(registrar._task, return_exceptions=True)
