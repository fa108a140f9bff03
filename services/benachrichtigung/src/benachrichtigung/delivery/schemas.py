"""Request and response bodies of webhook endpoints and the delivery log."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from benachrichtigung.rules import KINDS, Channel, Frequency


def _known_kinds(kinds: list[str]) -> list[str]:
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown kinds {', '.join(unknown)}; known are {', '.join(KINDS)}")
    return sorted(set(kinds))


Kinds = Annotated[
    list[Annotated[str, StringConstraints(max_length=40)]], Field(max_length=50), AfterValidator(_known_kinds)
]
# The length limit proper is a setting (422 past it); this only bounds what is read at all.
Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=65536)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class WebhookEndpointCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url
    description: Description | None = None
    kinds: Kinds = Field(default_factory=list, description="kinds of notification to send; empty means all")
    frequency: Frequency = Frequency.IMMEDIATELY


class WebhookEndpointUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url | None = None
    description: Description | None = None
    kinds: Kinds | None = None
    frequency: Frequency | None = None
    active: bool | None = None


class WebhookEndpoint(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    organisation: str = Field(description="`office`, or the id of the municipality that owns the endpoint")
    url: str
    description: str | None
    kinds: list[str]
    frequency: Frequency
    active: bool
    created_at: datetime
    updated_at: datetime


class WebhookEndpointWithSecret(WebhookEndpoint):
    secret: str = Field(description="the signing secret (`whsec_…`); shown only when created or rotated")


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    DELIVERED = "delivered"
    FAILED = "failed"


class DeliveryAttempt(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    attempt: int
    attempted_at: datetime
    outcome: str
    status_code: int | None
    error: str | None
    duration_ms: int


class Delivery(BaseModel):
    """One message (an e-mail or a webhook call) and every attempt to send it."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID = Field(description="also the `webhook-id` of a webhook call")
    channel: Channel
    recipient_id: str = Field(description="the person told by e-mail, or the webhook endpoint's id")
    endpoint_id: UUID | None
    notification_id: UUID | None
    kind: str
    frequency: Frequency
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    last_status_code: int | None
    created_at: datetime
    finished_at: datetime | None
    attempt_log: list[DeliveryAttempt]
