"""The rules of practices: DRAFT → PUBLISHED → ARCHIVED, a revision per edit, the adoption ledger."""

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from austausch import access
from austausch.events import (
    PracticeAdopted,
    PracticeArchived,
    PracticeEvent,
    PracticePublished,
    PracticeUpdated,
)
from austausch.models import outbox
from austausch.municipalities import service as municipalities
from austausch.paging import after_created, next_created
from austausch.practices.repository import PracticeQuery, PracticeRepository
from austausch.practices.schemas import (
    Adoption,
    AdoptionCreate,
    ImportedPractices,
    MunicipalityPractices,
    Practice,
    PracticeCounts,
    PracticeCreate,
    PracticeImport,
    PracticeUpdate,
    Revision,
)
from austausch.search.repository import SearchRepository
from austausch.topics import service as topics
from austausch.vocabulary import EntryKind, PracticeStatus
from zwk_common.auth import Caller, Role
from zwk_common.errors import BadInput, Conflict, NotFound
from zwk_common.pagination import Page, PageParams

# What a revision keeps: everything the author writes.
CONTENT_FIELDS = (
    "title",
    "summary",
    "body",
    "topics",
    "target_groups",
    "tool_kind",
    "effort",
    "cost",
    "cost_note",
    "contact",
    "measure_id",
)


async def create_practice(session: AsyncSession, caller: Caller, data: PracticeCreate) -> Practice:
    access.require_author_municipality(caller, data.municipality_id)
    await municipalities.require_known(session, data.municipality_id)
    await topics.require_known(session, data.topics)
    practice_id = uuid.uuid4()
    content = _content(data.model_dump(mode="json", exclude={"municipality_id"}))
    repository = PracticeRepository(session)
    await repository.add(
        {
            "id": practice_id,
            "municipality_id": data.municipality_id,
            "author_subject": caller.subject,
            "author_name": caller.name,
            "status": PracticeStatus.DRAFT.value,
            "revision": 1,
            **_columns(content),
        }
    )
    await repository.add_revision(practice_id, 1, caller.subject, content)
    return await _reload(session, caller, practice_id)


async def import_practices(session: AsyncSession, caller: Caller, data: PracticeImport) -> ImportedPractices:
    """The office brings in practices published before (a toolbox, an earlier platform): all or none.

    They are in lists, counts and search at once. They are not news: nobody is notified and no
    `practice.published` is recorded, so bringing in thousands does not flood every follower's inbox.
    """
    caller.require_role(Role.OFFICE)
    items = data.practices
    await municipalities.require_all_known(session, {item.municipality_id for item in items})
    await topics.require_known(session, sorted({key for item in items for key in item.topics}))
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    revisions: list[dict[str, Any]] = []
    for position, item in enumerate(items):
        published_at = item.published_at or now
        if published_at.tzinfo is None or published_at > now:
            raise BadInput(
                f"Practice {position + 1}: published_at must be a past time with its offset, "
                "e.g. 2023-05-04T10:00:00+02:00.",
                field=f"practices.{position}.published_at",
            )
        practice_id = uuid.uuid4()
        author = item.author_subject or caller.subject
        content = _content(item.model_dump(mode="json", include=set(CONTENT_FIELDS)))
        rows.append(
            {
                "id": practice_id,
                "municipality_id": item.municipality_id,
                "author_subject": author,
                "author_name": item.author_name if item.author_subject else (item.author_name or caller.name),
                "status": PracticeStatus.PUBLISHED.value,
                "revision": 1,
                "created_at": published_at,
                "published_at": published_at,
                **_columns(content),
            }
        )
        revisions.append(
            {"practice_id": practice_id, "editor_subject": author, "edited_at": published_at, "content": content}
        )
    repository = PracticeRepository(session)
    await repository.add_many(rows)
    await repository.add_first_revisions(revisions)
    ids = [row["id"] for row in rows]
    await SearchRepository(session).add(EntryKind.PRACTICE, ids)
    return ImportedPractices(imported=len(ids), ids=ids)


async def get_practice(session: AsyncSession, caller: Caller, practice_id: UUID) -> Practice:
    row = await PracticeRepository(session).get(practice_id)
    _require_visible(caller, row)
    return _practice(caller, row)  # type: ignore[arg-type]


async def get_practices(session: AsyncSession, caller: Caller, ids: list[UUID]) -> Page[Practice]:
    """A batch read in the order asked; what the caller may not see is left out."""
    rows = {row["id"]: row for row in await PracticeRepository(session).get_many(ids)}
    items = [_practice(caller, rows[i]) for i in dict.fromkeys(ids) if i in rows and _visible(caller, rows[i])]
    return Page(items=items, total_count=len(items))


async def list_practices(
    session: AsyncSession, caller: Caller, wanted: PracticeQuery, page: PageParams
) -> Page[Practice]:
    rows, total = await PracticeRepository(session).page(
        wanted, access.scope_of(caller), caller.subject, after_created(page.after), page.first + 1
    )
    items = [_practice(caller, row) for row in rows[: page.first]]
    return Page(items=items, next_cursor=next_created(rows, page.first), total_count=total)


async def first_pages(
    session: AsyncSession, caller: Caller, municipality_ids: list[UUID], wanted: PracticeQuery, first: int
) -> list[MunicipalityPractices]:
    """The first page of practices of each municipality, in the order asked; its cursor pages on in `list_practices`.

    `first` 0 counts them only: no items and no cursor, and no practice read.
    """
    ids = list(dict.fromkeys(municipality_ids))
    repository = PracticeRepository(session)
    scope = access.scope_of(caller)
    totals = await repository.totals(ids, wanted, scope, caller.subject)
    found: dict[UUID, list[Mapping[Any, Any]]] = {i: [] for i in ids}
    if first > 0:
        for row in await repository.first_pages(ids, wanted, scope, caller.subject, first + 1):
            found[row["municipality_id"]].append(row)
    return [
        MunicipalityPractices(
            municipality_id=i,
            items=[_practice(caller, row) for row in found[i][:first]],
            next_cursor=next_created(found[i], first) if first > 0 else None,
            total_count=totals.get(i, 0),
        )
        for i in ids
    ]


async def update_practice(session: AsyncSession, caller: Caller, practice_id: UUID, data: PracticeUpdate) -> Practice:
    repository = PracticeRepository(session)
    row = await repository.get(practice_id, for_update=True)
    _require_visible(caller, row)
    assert row is not None
    access.require_author_municipality(caller, row["municipality_id"])
    if row["status"] == PracticeStatus.ARCHIVED.value:
        raise Conflict("An archived practice is no longer edited.")
    if data.expected_revision is not None and data.expected_revision != row["revision"]:
        raise Conflict(
            f"The practice was edited meanwhile: revision {row['revision']}, not {data.expected_revision}.",
            current_revision=row["revision"],
        )
    if data.topics is not None:
        await topics.require_known(session, data.topics)
    before = _content(dict(row))
    after = {**before, **_content(data.model_dump(mode="json"), only=data)}
    if after == before:
        return _practice(caller, row)
    revision = row["revision"] + 1
    await repository.change(practice_id, {**_columns(after), "revision": revision})
    await repository.add_revision(practice_id, revision, caller.subject, after)
    if row["status"] == PracticeStatus.PUBLISHED.value and row["hidden_at"] is None:
        await SearchRepository(session).refresh(EntryKind.PRACTICE, practice_id)
        practice = await _reload(session, caller, practice_id)
        await outbox.record(session, practice_event(PracticeUpdated, practice, caller.subject))
        return practice
    return await _reload(session, caller, practice_id)


async def publish_practice(session: AsyncSession, caller: Caller, practice_id: UUID) -> Practice:
    repository = PracticeRepository(session)
    row = await repository.get(practice_id, for_update=True)
    _require_visible(caller, row)
    assert row is not None
    access.require_author_municipality(caller, row["municipality_id"])
    if row["status"] != PracticeStatus.DRAFT.value:
        raise Conflict(f"Only a draft is published; this practice is {row['status']}.")
    await repository.change(practice_id, {"status": PracticeStatus.PUBLISHED.value, "published_at": datetime.now(UTC)})
    await SearchRepository(session).refresh(EntryKind.PRACTICE, practice_id)
    practice = await _reload(session, caller, practice_id)
    if row["hidden_at"] is None:
        await outbox.record(session, practice_event(PracticePublished, practice, caller.subject))
    return practice


async def archive_practice(session: AsyncSession, caller: Caller, practice_id: UUID) -> Practice:
    repository = PracticeRepository(session)
    row = await repository.get(practice_id, for_update=True)
    _require_visible(caller, row)
    assert row is not None
    access.require_author_municipality(caller, row["municipality_id"])
    if row["status"] != PracticeStatus.PUBLISHED.value:
        raise Conflict(f"Only a published practice is archived; this practice is {row['status']}.")
    await repository.change(practice_id, {"status": PracticeStatus.ARCHIVED.value, "archived_at": datetime.now(UTC)})
    await SearchRepository(session).remove(EntryKind.PRACTICE, practice_id)
    practice = await _reload(session, caller, practice_id)
    await outbox.record(session, practice_event(PracticeArchived, practice, caller.subject))
    return practice


async def revisions(session: AsyncSession, caller: Caller, practice_id: UUID) -> list[Revision]:
    repository = PracticeRepository(session)
    _require_visible(caller, await repository.get(practice_id))
    return [Revision.model_validate(row) for row in await repository.revisions(practice_id)]


async def counts(session: AsyncSession, municipality_ids: list[UUID]) -> list[PracticeCounts]:
    found = await PracticeRepository(session).counts(list(dict.fromkeys(municipality_ids)))
    return [PracticeCounts(municipality_id=i, **n) for i, n in found.items()]


async def adopt_practice(session: AsyncSession, caller: Caller, practice_id: UUID, data: AdoptionCreate) -> Adoption:
    """A municipality records that it took up another's practice, and with what result."""
    repository = PracticeRepository(session)
    row = await repository.get(practice_id)
    _require_visible(caller, row)
    assert row is not None
    caller.require_writer()
    access.require_author_municipality(caller, data.municipality_id)
    if row["status"] != PracticeStatus.PUBLISHED.value or row["hidden_at"] is not None:
        raise Conflict("Only a published practice can be adopted.")
    if data.municipality_id == row["municipality_id"]:
        raise BadInput("A municipality does not adopt its own practice.")
    await municipalities.require_known(session, data.municipality_id)
    adoption_id = uuid.uuid4()
    added = await repository.add_adoption(
        {
            "id": adoption_id,
            "practice_id": practice_id,
            "municipality_id": data.municipality_id,
            "result": data.result,
            "recorded_by": caller.subject,
        }
    )
    if not added:
        raise Conflict("This municipality has already recorded adopting this practice.")
    practice = _practice(caller, row)
    await outbox.record(
        session,
        PracticeAdopted(
            **event_fields(practice, caller.subject),
            adopter_municipality_id=data.municipality_id,
        ),
    )
    items, _ = await repository.adoptions(
        practice_id=practice_id, municipality_id=data.municipality_id, scope=None, subject="", after=None, limit=1
    )
    return Adoption.model_validate(items[0])


async def list_adoptions(
    session: AsyncSession,
    caller: Caller,
    *,
    practice_id: UUID | None,
    municipality_id: UUID | None,
    page: PageParams,
) -> Page[Adoption]:
    repository = PracticeRepository(session)
    if practice_id is not None:
        _require_visible(caller, await repository.get(practice_id))
    rows, total = await repository.adoptions(
        practice_id=practice_id,
        municipality_id=municipality_id,
        scope=access.scope_of(caller),
        subject=caller.subject,
        after=after_created(page.after),
        limit=page.first + 1,
    )
    items = [Adoption.model_validate(row) for row in rows[: page.first]]
    return Page(items=items, next_cursor=next_created(rows, page.first), total_count=total)


def practice_event(kind: type[PracticeEvent], practice: Practice, actor: str) -> PracticeEvent:
    return kind(**event_fields(practice, actor))


def event_fields(practice: Practice, actor: str) -> dict[str, Any]:
    """The fields every practice event carries."""
    return {
        "practice_id": practice.id,
        "municipality_id": practice.municipality_id,
        "municipality_name": practice.municipality_name,
        "title": practice.title,
        "summary": practice.summary,
        "topics": practice.topics,
        "author_subject": practice.author_subject,
        "actor": actor,
    }


async def _reload(session: AsyncSession, caller: Caller, practice_id: UUID) -> Practice:
    row = await PracticeRepository(session).get(practice_id)
    assert row is not None
    return _practice(caller, row)


def _visible(caller: Caller, row: Mapping[Any, Any]) -> bool:
    return access.may_see(caller, row, published=row["status"] != PracticeStatus.DRAFT.value)


def _require_visible(caller: Caller, row: Mapping[Any, Any] | None) -> None:
    if row is None or not _visible(caller, row):
        raise NotFound("No practice with this id.")


def _practice(caller: Caller, row: Mapping[Any, Any]) -> Practice:
    owner = access.acts_for(caller, row["municipality_id"])
    return Practice.model_validate(
        {
            **row,
            "hidden": row["hidden_at"] is not None,
            "hidden_reason": row["hidden_reason"] if owner else None,
        }
    )


def _content(values: Mapping[Any, Any], only: PracticeUpdate | None = None) -> dict[str, Any]:
    """The author's fields as JSON-ready values (a revision stores exactly these)."""
    names = CONTENT_FIELDS if only is None else [n for n in CONTENT_FIELDS if n in only.model_fields_set]
    content = {}
    for name in names:
        value = values.get(name)
        content[name] = str(value) if isinstance(value, UUID) else value
    return content


def _columns(content: dict[str, Any]) -> dict[str, Any]:
    measure_id = content.get("measure_id")
    return {**content, "measure_id": UUID(measure_id) if measure_id else None}
