"""The rules of topics: data with a parent, extended and re-parented by the office."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from kommunen.events import TopicAdded, TopicUpdated
from kommunen.models import outbox
from kommunen.topics.repository import TopicRepository
from kommunen.topics.schemas import Topic, TopicCreate, TopicUpdate
from zwk_common.auth import Caller, Role
from zwk_common.errors import BadInput, Conflict, NotFound
from zwk_common.pagination import Page, PageParams, decode_cursor, encode_cursor


def _topic(row: RowMapping) -> Topic:
    return Topic(key=row["key"], label=row["label"], parent=row["parent_key"])


async def list_topics(session: AsyncSession, page: PageParams) -> Page[Topic]:
    repository = TopicRepository(session)
    after = str(decode_cursor(page.after, 1)[0]) if page.after else None
    rows = await repository.page(after, page.first + 1)
    items = [_topic(row) for row in rows[: page.first]]
    next_cursor = encode_cursor(items[-1].key) if len(rows) > page.first else None
    return Page(items=items, next_cursor=next_cursor, total_count=await repository.count())


async def get_topic(session: AsyncSession, key: str) -> Topic:
    row = await TopicRepository(session).get(key)
    if row is None:
        raise NotFound(f"There is no topic {key}.")
    return _topic(row)


async def require_known_topics(session: AsyncSession, keys: Sequence[str], *, field: str = "topics") -> None:
    unknown = sorted(set(keys) - await TopicRepository(session).existing(keys))
    if unknown:
        raise BadInput(f"Unknown topic: {', '.join(unknown)}.", field=field, unknown=unknown)


async def topic_with_subtopics(session: AsyncSession, key: str) -> list[str]:
    keys = await TopicRepository(session).descendants(key)
    if not keys:
        raise BadInput(f"Unknown topic: {key}.", field="topic", unknown=[key])
    return keys


async def add_topic(session: AsyncSession, caller: Caller, data: TopicCreate) -> Topic:
    caller.require_role(Role.OFFICE)
    repository = TopicRepository(session)
    if data.parent is not None and await repository.get(data.parent) is None:
        raise BadInput(f"Unknown topic: {data.parent}.", field="parent", unknown=[data.parent])
    row = await repository.add(data.key, data.label, data.parent)
    if row is None:
        raise Conflict(f"The topic {data.key} exists already.")
    topic = _topic(row)
    await outbox.record(session, TopicAdded(key=topic.key, label=topic.label, parent=topic.parent))
    return topic


async def update_topic(session: AsyncSession, caller: Caller, key: str, data: TopicUpdate) -> Topic:
    caller.require_role(Role.OFFICE)
    repository = TopicRepository(session)
    # One change of the tree at a time: two crossing re-parentings, each
    # checked alone, could otherwise close a loop together.
    await repository.lock_tree()
    current = await repository.get(key, for_update=True)
    if current is None:
        raise NotFound(f"There is no topic {key}.")
    values: dict[str, object] = {}
    if "label" in data.model_fields_set and data.label is not None:
        values["label"] = data.label
    if "parent" in data.model_fields_set:
        if data.parent is not None:
            if await repository.get(data.parent) is None:
                raise BadInput(f"Unknown topic: {data.parent}.", field="parent", unknown=[data.parent])
            # A topic below itself would make the tree a loop.
            if key in await repository.ancestors(data.parent):
                raise BadInput(
                    f"The topic {data.parent} lies below {key}; it cannot become its parent.", field="parent"
                )
        values["parent_key"] = data.parent
    if not values or all(current[column] == value for column, value in values.items()):
        return _topic(current)
    topic = _topic(await repository.change(key, values))
    await outbox.record(session, TopicUpdated(key=topic.key, label=topic.label, parent=topic.parent))
    return topic
