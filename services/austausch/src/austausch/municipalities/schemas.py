"""Request and response bodies of the municipality replica and comparisons."""

from uuid import UUID

from pydantic import BaseModel, Field

from austausch.practices.schemas import Practice


class Likenesses(BaseModel):
    """Each part of the comparison, 0 (unlike) to 1 (alike)."""

    size: float
    urbanisation: float
    topics: float
    kind: float
    region: float


class ComparableMunicipality(BaseModel):
    municipality_id: UUID
    name: str
    kind: str
    bundesland: str
    population: int | None
    urbanisation: int | None
    score: float = Field(description="0..1, the weighted sum of the likenesses")
    likenesses: Likenesses
    distance_km: float | None
    shared_topics: list[str]
    reasons: list[str] = Field(description='why, in German, e.g. "ähnliche Größe", "ebenfalls ländlich"')


class ComparablePractice(BaseModel):
    practice: Practice
    relevance: float = Field(description="how well the practice fits: its municipality's likeness and its topics")
    reasons: list[str]
