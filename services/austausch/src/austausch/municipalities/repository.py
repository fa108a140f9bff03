"""All SQL of the municipality replica and of comparing municipalities."""

import functools
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, func, select, text, true
from sqlalchemy.ext.asyncio import AsyncSession

from austausch.models import SCHEMA, inbox, municipalities
from zwk_common.inbox import InboxClaim
from zwk_common.sql import given_row, insert

# One row per other municipality with each likeness 0..1 and the weighted score; the
# subject is read from the replica itself, so nothing but ids and weights is bound.
LIKENESS = f"""
SELECT m.id, m.name, m.kind, m.bundesland, m.population, m.urbanisation, m.kreis_key,
       m.kind = s.kind AS same_kind,
       CASE WHEN m.kind = s.kind THEN 1.0 WHEN m.kind = ANY(CAST(:kindred AS text[])) THEN 0.5 ELSE 0.0 END
           AS kind_score,
       CASE WHEN m.population > 0 AND s.population > 0
            THEN greatest(0.0, 1.0 - abs(ln(m.population) - ln(s.population)) / ln(10.0)) ELSE 0.0 END
           AS size_score,
       CASE WHEN m.urbanisation IS NULL OR s.urbanisation IS NULL THEN 0.0
            ELSE 1.0 - abs(m.urbanisation - s.urbanisation) / 2.0 END AS urbanisation_score,
       s.kreis_key IS NOT NULL AND m.kreis_key = s.kreis_key AS same_kreis,
       m.bundesland = s.bundesland AS same_land,
       d.distance_km,
       greatest(
           CASE WHEN s.kreis_key IS NOT NULL AND m.kreis_key = s.kreis_key THEN 1.0 ELSE 0.0 END,
           CASE WHEN m.bundesland = s.bundesland THEN 0.5 ELSE 0.0 END,
           CASE WHEN d.distance_km IS NULL THEN 0.0 ELSE greatest(0.0, 1.0 - d.distance_km / 150.0) END
       ) AS region_score,
       t.shared AS shared_topics,
       CASE WHEN t.together = 0 THEN 0.0 ELSE cardinality(t.shared)::float8 / t.together END AS topic_score
FROM {SCHEMA}.municipalities s
JOIN {SCHEMA}.municipalities m ON m.id <> s.id
CROSS JOIN LATERAL (
    SELECT CASE WHEN m.latitude IS NULL OR s.latitude IS NULL OR m.longitude IS NULL OR s.longitude IS NULL
                THEN NULL
                ELSE 2 * 6371.0 * asin(least(1.0, sqrt(
                    power(sin(radians(m.latitude - s.latitude) / 2), 2)
                    + cos(radians(s.latitude)) * cos(radians(m.latitude))
                      * power(sin(radians(m.longitude - s.longitude) / 2), 2))))
           END AS distance_km
) d
CROSS JOIN LATERAL (
    SELECT ARRAY(SELECT unnest(m.topics) INTERSECT SELECT unnest(s.topics) ORDER BY 1)::text[] AS shared,
           (SELECT count(*) FROM (SELECT unnest(m.topics) UNION SELECT unnest(s.topics)) u) AS together
) t
WHERE s.id = :subject
"""

SCORED = f"""
SELECT l.*,
       CAST(:w_kind AS float8) * l.kind_score + CAST(:w_size AS float8) * l.size_score
       + CAST(:w_urbanisation AS float8) * l.urbanisation_score + CAST(:w_region AS float8) * l.region_score
       + CAST(:w_topics AS float8) * l.topic_score AS score
FROM ({LIKENESS}) l
"""

COMPARABLE = f"""
{SCORED}
ORDER BY score DESC, l.name, l.id
LIMIT :limit
"""

# The practices of the closest municipalities: the closer the municipality and the more
# the practice's topics are the subject's own, the better.
COMPARABLE_PRACTICES = f"""
WITH twins AS ({SCORED} ORDER BY score DESC, l.name, l.id LIMIT :twins),
subject AS (SELECT topics FROM {SCHEMA}.municipalities WHERE id = :subject),
ranked AS (
    SELECT p.id, twins.score AS municipality_score,
           round(CAST(0.8 * twins.score + 0.2 * CASE WHEN cardinality(p.topics) = 0 THEN 0.0 ELSE
               (SELECT count(*) FROM unnest(p.topics) k WHERE k = ANY(subject.topics))::float8
               / cardinality(p.topics) END AS numeric), 6)::float8 AS relevance
    FROM {SCHEMA}.practices p
    JOIN twins ON twins.id = p.municipality_id
    CROSS JOIN subject
    WHERE p.status = 'PUBLISHED' AND p.hidden_at IS NULL
)
SELECT ranked.* FROM ranked
WHERE CAST(:after_relevance AS float8) IS NULL
   OR ranked.relevance < CAST(:after_relevance AS float8)
   OR (ranked.relevance = CAST(:after_relevance AS float8) AND ranked.id > CAST(:after_id AS uuid))
ORDER BY ranked.relevance DESC, ranked.id
LIMIT :limit
"""


@functools.cache
def _keep(columns: tuple[str, ...], *, claiming: bool) -> Any:
    """The upsert of a municipality's `columns`, answering whether it ran. If `claiming`, it claims
    its event in the inbox too (`OneStatement`), and the row goes in only if that claim is new."""
    m = municipalities
    given = given_row(m, columns)
    if claiming:
        given = given.where(inbox.claim_is_new)
    statement = insert(m).from_select(list(columns), given)
    kept = statement.on_conflict_do_update(
        index_elements=[m.c.id],
        set_={**{name: statement.excluded[name] for name in columns if name != "id"}, "updated_at": func.now()},
    ).cte("kept")
    ran = inbox.claim_is_new if claiming else true()
    return select(ran).add_cte(kept)


class MunicipalityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def keep(self, values: dict[str, Any], claim: InboxClaim | None = None) -> bool:
        """Keep the state in `values`; with `claim`, in one statement that also claims its event in
        the inbox and keeps nothing if it was claimed before (then False)."""
        statement = _keep(tuple(sorted(values)), claiming=claim is not None)
        parameters = {**values, **claim.values} if claim is not None else values
        return bool((await self.session.execute(statement, parameters)).scalar_one())

    async def get(self, municipality_id: UUID) -> RowMapping | None:
        result = await self.session.execute(select(municipalities).where(municipalities.c.id == municipality_id))
        return result.mappings().first()

    async def names(self, ids: Sequence[UUID]) -> dict[UUID, str]:
        result = await self.session.execute(
            select(municipalities.c.id, municipalities.c.name).where(municipalities.c.id.in_(list(ids)))
        )
        return {row.id: row.name for row in result}

    async def comparable(
        self, subject: UUID, kindred: Sequence[str], weights: Mapping[str, float], limit: int
    ) -> list[RowMapping]:
        result = await self.session.execute(
            text(COMPARABLE),
            {"subject": subject, "kindred": list(kindred), "limit": limit, **_weights(weights)},
        )
        return list(result.mappings())

    async def comparable_practices(
        self,
        subject: UUID,
        kindred: Sequence[str],
        weights: Mapping[str, float],
        twins: int,
        after: tuple[float, UUID] | None,
        limit: int,
    ) -> list[RowMapping]:
        result = await self.session.execute(
            text(COMPARABLE_PRACTICES),
            {
                "subject": subject,
                "kindred": list(kindred),
                "twins": twins,
                "limit": limit,
                "after_relevance": after[0] if after else None,
                "after_id": after[1] if after else None,
                **_weights(weights),
            },
        )
        return list(result.mappings())


def _weights(weights: Mapping[str, float]) -> dict[str, float]:
    return {f"w_{name}": value for name, value in weights.items()}
