"""The operator's view: `zwk status` and `zwk dead-letters`, from the running services and the stream."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
import nats
import nats.errors
from nats.aio.client import Client
from prometheus_client.parser import text_string_to_metric_families

from zwk_common.deadletters import DeadLetter, DeadLetterNotFound, DeadLetters
from zwk_common.messaging import server_urls
from zwk_common.registry import ServiceSpec, discover
from zwk_common.settings import ServiceSettings


def service_url(spec: ServiceSpec) -> str:
    """Where a service answers: ZWK_URL_<NAME>, else its default port on loopback."""
    return os.environ.get(f"ZWK_URL_{spec.name.upper()}") or f"http://127.0.0.1:{spec.port}"


@dataclass
class ServiceStatus:
    """What `zwk status` knows of one service."""

    name: str
    url: str
    health: str  # ready | not ready | unreachable
    detail: str = ""
    outbox_backlog: int | None = None
    consumer_lag: dict[str, int] = field(default_factory=dict)
    dead_letters: dict[str, int] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return self.health == "ready"


def _samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return found


async def service_status(client: httpx.AsyncClient, spec: ServiceSpec) -> ServiceStatus:
    """Health from /readyz; backlog, lag and dead letters from /metrics."""
    url = service_url(spec)
    try:
        ready = await client.get(url + "/readyz")
    except httpx.HTTPError as exc:
        return ServiceStatus(spec.name, url, "unreachable", type(exc).__name__)
    status = ServiceStatus(spec.name, url, "ready" if ready.status_code == 200 else "not ready")
    if ready.status_code != 200:
        try:
            checks = ready.json().get("checks") or {}
            status.detail = ", ".join(f"{k}: {v}" for k, v in checks.items() if v != "ok") or ready.text[:200]
        except ValueError:
            status.detail = f"HTTP {ready.status_code}"
    try:
        scraped = await client.get(url + "/metrics")
        samples = _samples(scraped.text) if scraped.status_code == 200 else {}
    except httpx.HTTPError:
        samples = {}
    own = f"{spec.name}-"
    for labels, value in samples.get("zwk_outbox_backlog", []):
        if labels.get("service") == spec.name:
            status.outbox_backlog = int(value)
    for labels, value in samples.get("zwk_consumer_lag", []):
        if labels.get("consumer", "").startswith(own):
            status.consumer_lag[labels["consumer"]] = int(value)
    for labels, value in samples.get("zwk_dead_letters_pending", []):
        if labels.get("consumer", "").startswith(own):
            status.dead_letters[labels["consumer"]] = int(value)
    return status


async def gather_status(specs: Sequence[ServiceSpec], timeout: float = 3.0) -> list[ServiceStatus]:
    async with httpx.AsyncClient(timeout=timeout) as client:
        return list(await asyncio.gather(*(service_status(client, spec) for spec in specs)))


@asynccontextmanager
async def _stream(settings: ServiceSettings) -> AsyncIterator[DeadLetters]:
    connection: Client = await nats.connect(
        server_urls(settings.nats_url), connect_timeout=2, max_reconnect_attempts=1, allow_reconnect=False
    )
    try:
        yield DeadLetters(connection.jetstream(timeout=5), settings)
    finally:
        await connection.close()


def _render_status(statuses: Sequence[ServiceStatus], letters: Sequence[DeadLetter]) -> str:
    lines = [f"{'SERVICE':<18} {'HEALTH':<12} {'OUTBOX':>6}  {'CONSUMER':<28} {'LAG':>6} {'DEAD LETTERS':>12}"]
    for status in statuses:
        backlog = "-" if status.outbox_backlog is None else str(status.outbox_backlog)
        consumers = sorted(set(status.consumer_lag) | set(status.dead_letters)) or ["-"]
        for index, consumer in enumerate(consumers):
            head = f"{status.name:<18} {status.health:<12} {backlog:>6}" if index == 0 else " " * 38
            lag = status.consumer_lag.get(consumer)
            dead = status.dead_letters.get(consumer)
            lines.append(
                f"{head}  {consumer:<28} {'-' if lag is None else lag:>6} {'-' if dead is None else dead:>12}".rstrip()
            )
        if status.detail:
            lines.append(f"{'':<18} {status.detail}")
    if letters:
        lines += ["", "Dead letters (replay with `zwk dead-letters replay --id ID` once the cause is fixed):"]
        lines += [_render_letter(letter) for letter in letters]
    return "\n".join(lines)


def _render_letter(letter: DeadLetter) -> str:
    when = letter.failed_at.strftime("%Y-%m-%d %H:%M:%S") if letter.failed_at else "?"
    return (
        f"  {letter.id:>8}  {letter.consumer:<28} {letter.event_type or '?'}  {letter.event_id or '?'}  "
        f"{when}  tries {letter.deliveries}: {letter.error}"
    )


def status_command(argv: Sequence[str]) -> int:
    """`zwk status`: each service's health, outbox backlog, consumer lag and dead letters."""
    parser = argparse.ArgumentParser(prog="zwk status", description=status_command.__doc__)
    parser.add_argument("--service", action="append", help="only this service (repeatable)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args(argv)
    specs = discover()
    if args.service:
        unknown = set(args.service) - {spec.name for spec in specs}
        if unknown:
            parser.error(f"unknown service {', '.join(sorted(unknown))}; installed: {', '.join(s.name for s in specs)}")
        specs = [spec for spec in specs if spec.name in args.service]

    async def run() -> tuple[list[ServiceStatus], list[DeadLetter]]:
        statuses = await gather_status(specs, args.timeout)
        letters: list[DeadLetter] = []
        consumers = [c for status in statuses for c, n in status.dead_letters.items() if n]
        if consumers:
            try:
                async with asyncio.timeout(args.timeout), _stream(ServiceSettings()) as store:
                    letters = await store.find(consumers, limit=20)
            except Exception:  # noqa: BLE001 - the counts above stand without the details
                pass
        return statuses, letters

    statuses, letters = asyncio.run(run())
    if args.json:
        print(
            json.dumps(
                {
                    "services": [{**asdict(s), "ready": s.ready} for s in statuses],
                    "dead_letters": [_letter_json(letter) for letter in letters],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(_render_status(statuses, letters))
    return 0 if all(status.ready for status in statuses) else 1


def _letter_json(letter: DeadLetter) -> dict[str, Any]:
    body = asdict(letter)
    body["failed_at"] = letter.failed_at.isoformat() if letter.failed_at else None
    return body


def dead_letters_command(argv: Sequence[str]) -> int:
    """`zwk dead-letters list|replay`: see the events consumers gave up on, and hand them back."""
    parser = argparse.ArgumentParser(prog="zwk dead-letters", description=dead_letters_command.__doc__)
    actions = parser.add_subparsers(dest="action", required=True)
    p_list = actions.add_parser("list", help="list dead letters, oldest first")
    p_list.add_argument("--consumer", action="append", help="only this consumer (repeatable)")
    p_list.add_argument("--limit", type=int, default=100)
    p_list.add_argument("--json", action="store_true", help="print JSON")
    p_replay = actions.add_parser("replay", help="hand dead letters back to their consumers (all, unless narrowed)")
    p_replay.add_argument("--consumer", action="append", help="only this consumer's (repeatable)")
    p_replay.add_argument("--id", type=int, action="append", dest="ids", help="only this dead letter (repeatable)")
    args = parser.parse_args(argv)
    settings = ServiceSettings()

    async def run() -> int:
        try:
            async with _stream(settings) as store:
                if args.action == "list":
                    letters = await store.find(args.consumer, limit=max(1, min(args.limit, 10_000)))
                    if args.json:
                        print(json.dumps([_letter_json(x) for x in letters], ensure_ascii=False, indent=2))
                    else:
                        print("\n".join(_render_letter(letter) for letter in letters) or "no dead letters")
                    return 0
                if args.ids:
                    failed = 0
                    for letter_id in args.ids:
                        try:
                            letter = await store.replay(letter_id, args.consumer)
                        except DeadLetterNotFound:
                            print(f"zwk: no dead letter {letter_id}", file=sys.stderr)
                            failed += 1
                            continue
                        print(f"replayed {letter.id} to {letter.consumer}: {letter.event_type} {letter.event_id}")
                    return 1 if failed else 0
                replayed = await store.replay_all(args.consumer)
                for letter in replayed:
                    print(f"replayed {letter.id} to {letter.consumer}: {letter.event_type} {letter.event_id}")
                print(f"{len(replayed)} dead letter(s) replayed")
                return 0
        except (OSError, nats.errors.Error) as exc:
            print(f"zwk: NATS at {settings.nats_url} cannot be reached ({type(exc).__name__})", file=sys.stderr)
            return 2

    return asyncio.run(run())
