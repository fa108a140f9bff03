"""The rules of topics: only known Handlungsfelder tag content; kommunen's events keep them current."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from austausch.search.repository import SearchRepository
from austausch.topics.repository import TopicRepository
from austausch.topics.schemas import Topic
from zwk_common.errors import BadInput


async def list_topics(session: AsyncSession) -> list[Topic]:
    return [Topic.model_validate(row) for row in await TopicRepository(session).all()]


async def require_known(session: AsyncSession, keys: Sequence[str]) -> None:
    refuse_unknown(set(keys) - await TopicRepository(session).known(keys))


def refuse_unknown(unknown: set[str]) -> None:
    if unknown:
        keys = sorted(unknown)
        raise BadInput(f"Unknown topic: {', '.join(keys)}.", unknown_topics=keys)


async def keep_topic(session: AsyncSession, key: str, label: str, parent: str | None) -> None:
    repository = TopicRepository(session)
    before = await repository.get(key)
    await repository.keep(key, label, parent)
    if before is not None and (before["label"], before["parent"]) != (label, parent):
        # Topic labels are part of every search document tagged with the topic or one below it.
        await SearchRepository(session).relabel(sorted(await repository.with_children([key])))
