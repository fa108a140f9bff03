"""The event envelope (CloudEvents 1.0 + traceparent) and typed, versioned payloads."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field


class EventPayload(BaseModel):
    """The data of one kind of event; subclasses name its type and version.

    A publisher's payload is its contract. A consumer declares its own model
    with the same `event_type` and only the fields it reads (a tolerant reader),
    so a publisher may add fields without breaking anyone.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    version: ClassVar[int] = 1

    def ordering_key(self) -> str | None:
        """The entity whose events must stay in order (CloudEvents `subject`)."""
        return None


class Envelope(BaseModel):
    """A CloudEvents 1.0 structured-mode event with the W3C trace context."""

    model_config = ConfigDict(extra="ignore")

    specversion: str = "1.0"
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    source: str
    type: str
    subject: str | None = None
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    datacontenttype: str = "application/json"
    dataversion: int = 1
    traceparent: str | None = None
    tracestate: str | None = None
    data: dict[str, Any]

    @classmethod
    def wrap(cls, payload: EventPayload, *, source: str, traceparent: str | None = None) -> Envelope:
        return cls(
            source=source,
            type=payload.event_type,
            subject=payload.ordering_key(),
            dataversion=payload.version,
            traceparent=traceparent,
            data=payload.model_dump(mode="json"),
        )

    def to_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Envelope:
        return cls.model_validate_json(raw)
