"""Request and response bodies of search."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from austausch.topics.schemas import TopicKey
from austausch.vocabulary import EntryKind, TargetGroup

Bundesland = Annotated[str, StringConstraints(pattern=r"^(SH|HH|NI|HB|NW|HE|RP|BW|BY|SL|BE|BB|MV|SN|ST|TH)$")]
MunicipalityKind = Annotated[str, StringConstraints(pattern=r"^[A-Z_]{1,32}$")]
Population = Annotated[int, Field(ge=0, le=100_000_000)]


class SearchQuery(BaseModel):
    """The query string of a search; list filters repeat the parameter (`?topic=wohnen&topic=integration`)."""

    model_config = ConfigDict(populate_by_name=True)

    q: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        None, description="the words to find; operators have no meaning; at most 500 characters"
    )
    kinds: list[EntryKind] = Field([], alias="kind", max_length=2)
    topics: list[TopicKey] = Field([], alias="topic", max_length=20, description="any of these (and topics below)")
    target_groups: list[TargetGroup] = Field([], alias="target_group", max_length=20)
    bundeslaender: list[Bundesland] = Field([], alias="bundesland", max_length=16)
    municipality_kinds: list[MunicipalityKind] = Field([], alias="municipality_kind", max_length=10)
    population_min: Population | None = None
    population_max: Population | None = None
    prefix: bool = Field(True, description="the last word also matches as the start of a word (type-ahead)")
    highlight: bool = Field(
        True,
        description="mark the matches in `title_highlight` and `snippet`; false leaves them unmarked, the snippet "
        "the start of the summary, and answers sooner",
    )
    facets: bool = Field(
        True, description="count the matches per topic; false answers `facets` with null, and sooner for broad words"
    )

    @model_validator(mode="after")
    def _population_range(self) -> "SearchQuery":
        if (
            self.population_min is not None
            and self.population_max is not None
            and self.population_min > self.population_max
        ):
            raise ValueError("population_min must not exceed population_max")
        return self


class SearchMunicipality(BaseModel):
    id: UUID
    name: str
    bundesland: str
    kind: str


class SearchHit(BaseModel):
    kind: EntryKind
    id: UUID
    title: str
    title_highlight: str = Field(description="HTML: the title escaped, matches in <mark>")
    summary: str = Field(description="the summary as written (empty for a question)")
    snippet: str = Field(description="HTML: the best passages of summary and body, escaped, matches in <mark>")
    topics: list[str]
    target_groups: list[str]
    municipality: SearchMunicipality
    published_at: datetime
    score: float | None = Field(description="relevance; null when no words were searched")


class TopicFacet(BaseModel):
    topic: str
    label: str
    count: int


class Correction(BaseModel):
    typed: str
    corrected: str


class SearchResults(BaseModel):
    items: list[SearchHit]
    next_cursor: str | None
    total_count: int = Field(description="all matches; with other filters but the topic filter, see facets")
    facets: list[TopicFacet] | None = Field(
        description="matches per topic, all filters but the topic filter applied; null when not asked for"
    )
    corrected_query: str | None = Field(description="the words searched instead, when the typed ones found nothing")
    corrections: list[Correction]
    ranked_limit: int | None = Field(
        description="when set, only this many of the most recent matches were ranked and can be paged through"
    )
