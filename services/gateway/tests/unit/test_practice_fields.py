"""A practice's summary, date and municipality: at once from what a hit carries, else read when asked for."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import strawberry

from gateway.types.exchange import Practice

WHOLE = {
    "id": "p-1",
    "title": "Rufbus im Landkreis",
    "summary": "Aus dem Dienst gelesen",
    "published_at": "2026-11-01T10:00:00+00:00",
    "municipality_id": "m-1",
}
HIT = {
    "id": "p-2",
    "title": "Dorfladen",
    "summary": "Wie das Dorf seinen Laden rettete",
    "published_at": "2026-10-02T08:30:00+00:00",
    "municipality": {"id": "m-2", "name": "Riesa", "bundesland": "SN", "kind": "STADT"},
}


@dataclass
class Services:
    """What the fields ask for, counted: austausch for the practice, kommunen for the municipality."""

    asked: list[str] = field(default_factory=list)

    async def practice(self, practice_id: str) -> dict[str, Any]:
        self.asked.append(f"practice {practice_id}")
        return dict(WHOLE)

    async def municipality(self, municipality_id: str) -> dict[str, Any]:
        self.asked.append(f"municipality {municipality_id}")
        return {"id": municipality_id, "name": "Grabow", "bundesland": "MV", "kind": "STADT", "ags": "13076050"}


@dataclass
class Context:
    services: Services

    @property
    def austausch(self) -> Services:
        return self.services

    @property
    def kommunen(self) -> Services:
        return self.services


@strawberry.type
class Query:
    @strawberry.field
    def hit(self) -> Practice:
        return Practice.from_service(HIT)

    @strawberry.field
    def entry(self) -> Practice:
        # As an event names a practice: its id and title, nothing more.
        return Practice.from_service({"practice_id": "p-1", "title": "Rufbus im Landkreis", "municipality_id": "m-1"})


SCHEMA = strawberry.Schema(query=Query)
FIELDS = "title summary publishedAt municipality { name }"


async def test_a_hit_answers_from_what_it_carries_and_asks_no_service() -> None:
    services = Services()
    result = await SCHEMA.execute(f"{{ hit {{ {FIELDS} }} }}", context_value=Context(services))
    assert result.errors is None
    assert result.data == {
        "hit": {
            "title": "Dorfladen",
            "summary": "Wie das Dorf seinen Laden rettete",
            "publishedAt": "2026-10-02T08:30:00+00:00",
            "municipality": {"name": "Riesa"},
        }
    }
    assert services.asked == []


async def test_what_an_entry_lacks_is_read_from_the_services() -> None:
    services = Services()
    result = await SCHEMA.execute(f"{{ entry {{ {FIELDS} }} }}", context_value=Context(services))
    assert result.errors is None
    assert result.data == {
        "entry": {
            "title": "Rufbus im Landkreis",
            "summary": "Aus dem Dienst gelesen",
            "publishedAt": "2026-11-01T10:00:00+00:00",
            "municipality": {"name": "Grabow"},
        }
    }
    assert "municipality m-1" in services.asked
    assert "practice p-1" in services.asked
