"""The rules of search: words in, best matches out; a misspelt word is corrected once."""

import json
import math
import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from austausch.config import Settings
from austausch.search.repository import SearchFilter, SearchPage, SearchRepository
from austausch.search.schemas import Correction, SearchQuery, TopicFacet
from austausch.search.terms import words_of
from austausch.topics import service as topics
from austausch.vocabulary import EntryKind
from zwk_common.auth import Caller
from zwk_common.errors import BadInput
from zwk_common.pagination import PageParams, decode_cursor, encode_cursor

RANKED, BROWSING = "r", "t"


async def search(
    session: AsyncSession, caller: Caller, query: SearchQuery, page: PageParams, settings: Settings
) -> str:
    """`SearchResults` in JSON: everyone signed in searches; the index holds only what everyone may read.

    PostgreSQL writes the hits as the response model documents them; the tests hold the two together.
    """
    words = words_of(query.q)
    mode = RANKED if words else BROWSING
    after = _after(page.after, mode)
    repository = SearchRepository(session)
    # The topic filter reaches the topics below the ones given; a topic that does not exist is refused.
    widened = await repository.prepare(bool(words), query.topics)
    topics.refuse_unknown(set(query.topics) - set(widened))
    wanted = SearchFilter(
        entry_kinds=[k.value for k in query.kinds],
        topics=widened if query.topics else [],
        target_groups=[g.value for g in query.target_groups],
        bundeslaender=query.bundeslaender,
        municipality_kinds=query.municipality_kinds,
        population_min=query.population_min,
        population_max=query.population_max,
    )

    async def run(searched: list[str]) -> SearchPage:
        return await repository.search(
            searched,
            query.prefix,
            wanted,
            after,
            page.first,
            settings.search_candidate_limit,
            query.facets,
            query.highlight,
        )

    found = await run(words)
    corrections: list[Correction] = []
    if words and found.total == 0:
        fixes = await repository.corrections(words, settings.search_correction_threshold)
        if fixes:
            corrections = [Correction(typed=words[i], corrected=word) for i, word in sorted(fixes.items())]
            words = [fixes.get(i, word) for i, word in enumerate(words)]
            found = await run(words)

    next_cursor = encode_cursor(mode, *found.last) if found.last is not None else None
    facets = None
    if found.facets is not None:
        labels = {t.key: t.label for t in await topics.list_topics(session)}
        facets = sorted(
            (
                TopicFacet(topic=key, label=labels.get(key, key), count=n).model_dump()
                for key, n in found.facets.items()
            ),
            key=lambda facet: (-facet["count"], facet["topic"]),
        )
    rest = {
        "next_cursor": next_cursor,
        "total_count": found.total,
        "facets": facets,
        "corrected_query": " ".join(words) if corrections else None,
        "corrections": [c.model_dump() for c in corrections],
        "ranked_limit": settings.search_candidate_limit
        if mode == RANKED and found.total > settings.search_candidate_limit
        else None,
    }
    return '{"items":' + found.items + "," + json.dumps(rest, ensure_ascii=False, separators=(",", ":"))[1:]


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
