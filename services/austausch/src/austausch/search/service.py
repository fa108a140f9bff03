"""The rules of search: words in, best matches out; a misspelt word is corrected once."""

import math
import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from austausch.config import Settings
from austausch.search.repository import SearchFilter, SearchPage, SearchRepository
from austausch.search.schemas import (
    Correction,
    SearchHit,
    SearchMunicipality,
    SearchQuery,
    SearchResults,
    TopicFacet,
)
from austausch.search.terms import highlighted, words_of
from austausch.topics import service as topics
from austausch.vocabulary import EntryKind
from zwk_common.auth import Caller
from zwk_common.errors import BadInput
from zwk_common.pagination import PageParams, decode_cursor, encode_cursor

RANKED, BROWSING = "r", "t"


async def search(
    session: AsyncSession, caller: Caller, query: SearchQuery, page: PageParams, settings: Settings
) -> SearchResults:
    """Everyone signed in searches; the index holds only what everyone may read."""
    # Every topic, read once: checking the filter, widening it to the topics below, and the facets' labels.
    known = await topics.list_topics(session)
    topics.require_among(known, query.topics)
    wanted = SearchFilter(
        entry_kinds=[k.value for k in query.kinds],
        topics=topics.with_children_among(known, query.topics) if query.topics else [],
        target_groups=[g.value for g in query.target_groups],
        bundeslaender=query.bundeslaender,
        municipality_kinds=query.municipality_kinds,
        population_min=query.population_min,
        population_max=query.population_max,
    )
    words = words_of(query.q)
    mode = RANKED if words else BROWSING
    after = _after(page.after, mode)
    repository = SearchRepository(session)

    async def run(searched: list[str]) -> SearchPage:
        return await repository.search(
            searched, query.prefix, wanted, after, page.first + 1, settings.search_candidate_limit, query.facets
        )

    found = await run(words)
    corrections: list[Correction] = []
    if words and found.total == 0:
        fixes = await repository.corrections(words, settings.search_correction_threshold)
        if fixes:
            corrections = [Correction(typed=words[i], corrected=word) for i, word in sorted(fixes.items())]
            words = [fixes.get(i, word) for i, word in enumerate(words)]
            found = await run(words)

    rows = found.rows[: page.first]
    keys = [(row["kind"], UUID(row["id"])) for row in rows]
    details = await repository.details(keys, words, query.prefix, highlight=query.highlight)
    items = [_hit(details[key], row, mode) for key, row in zip(keys, rows, strict=True) if key in details]
    next_cursor = None
    if len(found.rows) > page.first and rows:
        last = rows[-1]
        next_cursor = encode_cursor(mode, last["sort"], last["kind"], last["id"])
    labels = {t.key: t.label for t in known}
    facets = (
        None
        if found.facets is None
        else sorted(
            (TopicFacet(topic=key, label=labels.get(key, key), count=n) for key, n in found.facets.items()),
            key=lambda facet: (-facet.count, facet.topic),
        )
    )
    return SearchResults(
        items=items,
        next_cursor=next_cursor,
        total_count=found.total,
        facets=facets,
        corrected_query=" ".join(words) if corrections else None,
        corrections=corrections,
        ranked_limit=settings.search_candidate_limit
        if mode == RANKED and found.total > settings.search_candidate_limit
        else None,
    )


def _hit(detail: Any, row: dict[str, Any], mode: str) -> SearchHit:
    return SearchHit(
        kind=EntryKind(detail["entry_kind"]),
        id=detail["entry_id"],
        title=detail["title"],
        title_highlight=highlighted(detail["title_highlight"]) or "",
        summary=detail["summary"],
        snippet=highlighted(detail["snippet"]) or "",
        topics=detail["topics"],
        target_groups=detail["target_groups"],
        municipality=SearchMunicipality(
            id=detail["municipality_id"],
            name=detail["municipality_name"],
            bundesland=detail["bundesland"],
            kind=detail["municipality_kind"],
        ),
        published_at=detail["published_at"],
        score=round(float(row["sort"]), 6) if mode == RANKED else None,
    )


def _after(cursor: str | None, mode: str) -> tuple[Any, str, UUID] | None:
    if cursor is None:
        return None
    given_mode, sort, kind, entry_id = decode_cursor(cursor, 4)
    try:
        if given_mode != mode or kind not in {k.value for k in EntryKind}:
            raise ValueError(mode)
        value: Any = float(sort) if mode == RANKED else datetime.fromisoformat(str(sort))
        if mode == RANKED and not math.isfinite(value):
            raise ValueError(sort)
        return value, str(kind), uuid.UUID(str(entry_id))
    except (ValueError, TypeError) as exc:
        raise BadInput("The cursor `after` belongs to another search.") from exc
