"""Dead letters: events a consumer gave up on, kept in the stream until the office replays them.

A dead letter is the original message's data published to
`<root>.deadletter.<consumer>` with the headers `Zwk-Consumer`,
`Zwk-Original-Subject`, `Zwk-Event-Id`, `Zwk-Event-Type`, `Zwk-Error`,
`Zwk-Deliveries` and `Zwk-Failed-At`. Its id is its sequence in the stream.
A replay publishes the data again to the original subject for that consumer
alone (header `Zwk-Replay-For`), then removes the dead letter; the consumer's
inbox makes sure an event it had handled after all is not handled twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import nats.js.errors
from nats.js import JetStreamContext
from nats.js.api import RawStreamMsg

from zwk_common.events import Envelope
from zwk_common.messaging import DEAD_LETTER, REPLAY_FOR, header_text
from zwk_common.settings import ServiceSettings

MAX_LISTED = 100


@dataclass(frozen=True)
class DeadLetter:
    """One event a consumer gave up on."""

    id: int
    consumer: str
    original_subject: str
    event_id: str | None
    event_type: str | None
    ordering_key: str | None
    error: str
    deliveries: int
    failed_at: datetime | None


class DeadLetterNotFound(LookupError):
    """No dead letter with that id (of those consumers)."""


class DeadLetters:
    """The dead letters of one installation's stream."""

    def __init__(self, js: JetStreamContext, settings: ServiceSettings) -> None:
        self.js = js
        self.stream = settings.event_stream
        self.prefix = f"{settings.event_subject_root}.{DEAD_LETTER}."

    def subject(self, consumer: str | None = None) -> str:
        return self.prefix + (consumer if consumer else ">")

    async def counts(self) -> dict[str, int]:
        """How many dead letters each consumer has."""
        try:
            info = await self.js.stream_info(self.stream, subjects_filter=self.subject())
        except nats.js.errors.NotFoundError:
            return {}
        return {subject.removeprefix(self.prefix): count for subject, count in (info.state.subjects or {}).items()}

    async def find(
        self, consumers: Iterable[str] | None = None, *, after: int = 0, limit: int = MAX_LISTED
    ) -> list[DeadLetter]:
        """The oldest dead letters with an id above `after`, of `consumers` (None: of all)."""
        subjects = [self.subject(c) for c in consumers] if consumers is not None else [self.subject()]
        found: list[DeadLetter] = []
        for subject in subjects:
            found.extend(await self._scan(subject, after, limit))
        return sorted(found, key=lambda letter: letter.id)[:limit]

    async def _scan(self, subject: str, after: int, limit: int) -> list[DeadLetter]:
        letters: list[DeadLetter] = []
        sequence = after + 1
        while len(letters) < limit:
            try:
                raw = await self.js.get_msg(self.stream, seq=sequence, subject=subject, next=True)
            except nats.js.errors.NotFoundError:
                break
            letters.append(_dead_letter(raw))
            sequence = (raw.seq or sequence) + 1
        return letters

    async def get(self, letter_id: int, consumers: Iterable[str] | None = None) -> DeadLetter:
        """One dead letter by id; only among `consumers` if named."""
        raw = await self._raw(letter_id)
        letter = _dead_letter(raw)
        if consumers is not None and letter.consumer not in set(consumers):
            raise DeadLetterNotFound(letter_id)
        return letter

    async def _raw(self, letter_id: int) -> RawStreamMsg:
        try:
            raw = await self.js.get_msg(self.stream, seq=letter_id)
        except (nats.js.errors.NotFoundError, nats.js.errors.BadRequestError) as exc:
            raise DeadLetterNotFound(letter_id) from exc
        if not (raw.subject or "").startswith(self.prefix):
            raise DeadLetterNotFound(letter_id)
        return raw

    async def replay(self, letter_id: int, consumers: Iterable[str] | None = None) -> DeadLetter:
        """Hand one dead letter back to its consumer, then forget it."""
        raw = await self._raw(letter_id)
        letter = _dead_letter(raw)
        if consumers is not None and letter.consumer not in set(consumers):
            raise DeadLetterNotFound(letter_id)
        headers = {
            # A replay that is repeated after a crash is stored once.
            "Nats-Msg-Id": f"replay-{self.stream}-{letter_id}",
            REPLAY_FOR: letter.consumer,
            "Zwk-Replay-Of": str(letter_id),
        }
        for key in ("traceparent", "tracestate"):
            if raw.headers and raw.headers.get(key):
                headers[key] = header_text(raw.headers[key])
        await self.js.publish(letter.original_subject, raw.data or b"", headers=headers)
        await self.js.delete_msg(self.stream, letter_id)
        return letter

    async def replay_all(self, consumers: Sequence[str] | None = None, *, limit: int = 10_000) -> list[DeadLetter]:
        """Replay every dead letter of `consumers` (None: of all), oldest first."""
        replayed: list[DeadLetter] = []
        after = 0
        while len(replayed) < limit:
            batch = await self.find(consumers, after=after, limit=min(MAX_LISTED, limit - len(replayed)))
            if not batch:
                break
            for letter in batch:
                replayed.append(await self.replay(letter.id))
            after = batch[-1].id
        return replayed


def _dead_letter(raw: RawStreamMsg) -> DeadLetter:
    headers = {key: header_text(value) for key, value in (raw.headers or {}).items()}
    event_id, event_type, ordering_key = headers.get("Zwk-Event-Id"), headers.get("Zwk-Event-Type"), None
    try:
        envelope = Envelope.from_bytes(raw.data or b"")
        event_id, event_type, ordering_key = envelope.id, envelope.type, envelope.subject
    except ValueError:
        pass  # the data was no envelope at all: that is why it is here
    failed_at = None
    if headers.get("Zwk-Failed-At"):
        try:
            failed_at = datetime.fromisoformat(headers["Zwk-Failed-At"])
        except ValueError:
            pass
    return DeadLetter(
        id=int(raw.seq or 0),
        consumer=headers.get("Zwk-Consumer") or (raw.subject or "").rsplit(".", 1)[-1],
        original_subject=headers.get("Zwk-Original-Subject", ""),
        event_id=event_id,
        event_type=event_type,
        ordering_key=ordering_key,
        error=headers.get("Zwk-Error", ""),
        deliveries=int(headers.get("Zwk-Deliveries", "0") or 0),
        failed_at=failed_at,
    )
