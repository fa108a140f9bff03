"""The rules of the municipality replica and of comparing municipalities ("Strukturzwillinge")."""

from collections.abc import Collection, Mapping
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from austausch.config import Settings
from austausch.events import MunicipalityRegistered
from austausch.municipalities.repository import MunicipalityRepository
from austausch.municipalities.schemas import ComparableMunicipality, ComparablePractice, Likenesses
from austausch.municipalities.similarity import WEIGHTS, Likeness, kindred_kinds, reasons
from austausch.practices import service as practices
from austausch.topics import service as topics
from zwk_common.auth import Caller
from zwk_common.errors import BadInput, NotFound
from zwk_common.inbox import InboxClaim
from zwk_common.pagination import Page, PageParams, decode_cursor, encode_cursor


async def keep_municipality(
    session: AsyncSession, event: MunicipalityRegistered, claim: InboxClaim | None = None
) -> bool:
    """The replica takes kommunen's full current state; nothing else writes it. With `claim`, in one
    statement with the event's inbox claim: False if the event was handled before."""
    return await MunicipalityRepository(session).keep(
        {
            "id": event.municipality_id,
            "ags": event.ags,
            "name": event.name,
            "kind": event.kind,
            "bundesland": event.bundesland,
            "population": event.population,
            "urbanisation": event.urbanisation if event.urbanisation in (1, 2, 3) else None,
            "kreis_key": event.kreis_key[:5] if event.kreis_key else None,
            "latitude": event.latitude,
            "longitude": event.longitude,
            "topics": event.topics,
            "programmes": event.programmes,
        },
        claim,
    )


async def require_known(session: AsyncSession, municipality_id: UUID) -> None:
    if await MunicipalityRepository(session).get(municipality_id) is None:
        raise BadInput(f"The municipality {municipality_id} is not known to the forum.")


async def require_all_known(session: AsyncSession, municipality_ids: Collection[UUID]) -> None:
    known = set(await MunicipalityRepository(session).names(list(municipality_ids)))
    unknown = sorted(str(i) for i in set(municipality_ids) - known)
    if unknown:
        more = " …" if len(unknown) > 5 else ""
        raise BadInput(f"Not known to the forum: {', '.join(unknown[:5])}{more}.", unknown_municipalities=unknown)


async def comparable(
    session: AsyncSession, caller: Caller, municipality_id: UUID, limit: int
) -> list[ComparableMunicipality]:
    """The municipalities most like this one, best first, each with the reasons in German."""
    repository = MunicipalityRepository(session)
    subject = await _subject(repository, municipality_id)
    rows = await repository.comparable(municipality_id, kindred_kinds(subject["kind"]), WEIGHTS, limit)
    labels = await _topic_labels(session)
    return [_comparable(row, labels) for row in rows]


async def comparable_practices(
    session: AsyncSession, caller: Caller, municipality_id: UUID, page: PageParams, settings: Settings
) -> Page[ComparablePractice]:
    """The published practices of the most comparable municipalities, the best fitting first."""
    repository = MunicipalityRepository(session)
    subject = await _subject(repository, municipality_id)
    kindred = kindred_kinds(subject["kind"])
    after = None
    if page.after is not None:
        relevance, practice_id = decode_cursor(page.after, 2)
        try:
            after = (float(relevance), UUID(str(practice_id)))
        except (TypeError, ValueError) as exc:
            raise BadInput("The cursor `after` is not one this service gave out.") from exc
    sources = settings.comparable_practice_sources
    ranked = await repository.comparable_practices(municipality_id, kindred, WEIGHTS, sources, after, page.first + 1)
    twins = await repository.comparable(municipality_id, kindred, WEIGHTS, sources)
    labels = await _topic_labels(session)
    said = {row["id"]: _comparable(row, labels).reasons for row in twins}
    found = {p.id: p for p in (await practices.get_practices(session, caller, [r["id"] for r in ranked])).items}
    items = [
        ComparablePractice(
            practice=found[row["id"]],
            relevance=row["relevance"],
            reasons=said.get(found[row["id"]].municipality_id, []),
        )
        for row in ranked[: page.first]
        if row["id"] in found
    ]
    next_cursor = None
    if len(ranked) > page.first:
        last = ranked[page.first - 1]
        next_cursor = encode_cursor(last["relevance"], str(last["id"]))
    return Page(items=items, next_cursor=next_cursor)


async def _subject(repository: MunicipalityRepository, municipality_id: UUID) -> Mapping[Any, Any]:
    subject = await repository.get(municipality_id)
    if subject is None:
        raise NotFound(f"The municipality {municipality_id} is not known to the forum.")
    return subject


async def _topic_labels(session: AsyncSession) -> dict[str, str]:
    return {t.key: t.label for t in await topics.list_topics(session)}


def _comparable(row: Mapping[Any, Any], labels: Mapping[str, str]) -> ComparableMunicipality:
    likeness = Likeness(
        kind=row["kind"],
        same_kind=row["same_kind"],
        size=row["size_score"],
        urbanisation=row["urbanisation"],
        urbanisation_score=row["urbanisation_score"],
        same_kreis=row["same_kreis"],
        same_land=row["same_land"],
        distance_km=row["distance_km"],
        shared_topics=row["shared_topics"],
        topic_score=row["topic_score"],
    )
    return ComparableMunicipality(
        municipality_id=row["id"],
        name=row["name"],
        kind=row["kind"],
        bundesland=row["bundesland"],
        population=row["population"],
        urbanisation=row["urbanisation"],
        score=round(float(row["score"]), 4),
        likenesses=Likenesses(
            size=round(float(row["size_score"]), 4),
            urbanisation=round(float(row["urbanisation_score"]), 4),
            topics=round(float(row["topic_score"]), 4),
            kind=round(float(row["kind_score"]), 4),
            region=round(float(row["region_score"]), 4),
        ),
        distance_km=round(row["distance_km"], 1) if row["distance_km"] is not None else None,
        shared_topics=row["shared_topics"],
        reasons=reasons(likeness, labels),
    )
