"""The rules of the Kommunalprofil: indicators with their source, and the SWOT analysis. Never commits."""

from uuid import UUID, uuid4

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from prozess.access import readable_process, writable_process
from prozess.kommunalprofil.repository import KommunalprofilRepository
from prozess.kommunalprofil.schemas import Indicator, IndicatorSet, SwotItem, SwotItemCreate, SwotItemUpdate
from prozess.models import indicators as indicators_table
from prozess.models import measures, swot_items
from prozess.records import remove_unless_an_origin
from prozess.vocabulary import KNOWN_INDICATORS, LABELS, Programme
from zwk_common.auth import Caller
from zwk_common.errors import BadInput, NotFound
from zwk_common.pagination import Page, PageParams


async def indicators(
    session: AsyncSession, caller: Caller, municipality_id: UUID, programme: Programme, page: PageParams
) -> Page[Indicator]:
    process = await readable_process(session, caller, municipality_id, programme)
    rows, next_cursor, total = await KommunalprofilRepository(session).page_in_order(
        indicators_table, indicators_table.c.key, indicators_table.c.process_id == process.id, page=page
    )
    return Page[Indicator](
        items=[Indicator.model_validate(r) for r in rows], next_cursor=next_cursor, total_count=total
    )


async def set_indicator(
    session: AsyncSession, caller: Caller, municipality_id: UUID, programme: Programme, key: str, data: IndicatorSet
) -> Indicator:
    """Record an indicator; a value set here replaces the pre-filled one for good."""
    process = await writable_process(session, caller, municipality_id, programme)
    repository = KommunalprofilRepository(session)
    existing = await repository.indicator(process.id, key)
    label = data.label or KNOWN_INDICATORS.get(key) or (existing["label"] if existing else None)
    if label is None:
        raise BadInput(f"The indicator {key!r} is not one the guidance names; give it a label.")
    row = await repository.save_indicator(
        {
            "process_id": process.id,
            "key": key,
            "label": label,
            "value": data.value,
            "unit": data.unit,
            "year": data.year,
            "source": data.source,
            "updated_by": caller.subject,
        }
    )
    return Indicator.model_validate(row)


async def remove_indicator(
    session: AsyncSession, caller: Caller, municipality_id: UUID, programme: Programme, key: str
) -> None:
    process = await writable_process(session, caller, municipality_id, programme)
    if not await KommunalprofilRepository(session).remove_indicator(process.id, key):
        raise NotFound(f"The Kommunalprofil has no indicator {key!r}.")


async def swot(
    session: AsyncSession, caller: Caller, municipality_id: UUID, programme: Programme, page: PageParams
) -> Page[SwotItem]:
    process = await readable_process(session, caller, municipality_id, programme)
    rows, next_cursor, total = await KommunalprofilRepository(session).page_in_recorded_order(
        swot_items, swot_items.c.process_id == process.id, page=page
    )
    return Page[SwotItem](items=[swot_item_of(r) for r in rows], next_cursor=next_cursor, total_count=total)


async def add_swot_item(
    session: AsyncSession, caller: Caller, municipality_id: UUID, programme: Programme, data: SwotItemCreate
) -> SwotItem:
    process = await writable_process(session, caller, municipality_id, programme)
    row = await KommunalprofilRepository(session).add_swot_item(
        {
            "id": uuid4(),
            "process_id": process.id,
            "kind": data.kind.value,
            "text": data.text,
            "topics": list(dict.fromkeys(data.topics)),
            "created_by": caller.subject,
        }
    )
    return swot_item_of(row)


async def change_swot_item(
    session: AsyncSession,
    caller: Caller,
    municipality_id: UUID,
    programme: Programme,
    item_id: UUID,
    data: SwotItemUpdate,
) -> SwotItem:
    process = await writable_process(session, caller, municipality_id, programme)
    repository = KommunalprofilRepository(session)
    existing = await repository.one_of_process(swot_items, item_id, process.id)
    if existing is None:
        raise NotFound(f"The Kommunalprofil has no SWOT item {item_id}.")
    changes = data.model_dump(exclude_unset=True)
    if any(value is None for value in changes.values()):
        raise BadInput("A SWOT item keeps its kind, text and topics; send a value, not null.")
    if "topics" in changes:
        changes["topics"] = list(dict.fromkeys(changes["topics"]))
    return swot_item_of(await repository.change_swot_item(item_id, changes) if changes else existing)


async def remove_swot_item(
    session: AsyncSession, caller: Caller, municipality_id: UUID, programme: Programme, item_id: UUID
) -> None:
    process = await writable_process(session, caller, municipality_id, programme)
    await remove_unless_an_origin(
        KommunalprofilRepository(session),
        swot_items,
        item_id,
        process.id,
        noun="SWOT item",
        origin_of=measures.c.origin_swot_item_id,
    )


def swot_item_of(row: RowMapping) -> SwotItem:
    return SwotItem.model_validate({**row, "kind_label": LABELS["swot_kind"][row["kind"]]})
