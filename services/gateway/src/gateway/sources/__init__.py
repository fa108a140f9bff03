"""Where each service's REST API is called: every path the gateway uses lives in this package.

Resolvers never build a URL; they ask these classes, which batch through
DataLoaders made per request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

from strawberry.dataloader import DataLoader

from gateway.errors import NOT_FOUND, GatewayError

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
BATCH = 100  # the most ids a service reads in one batch


class NotLoaded:
    """What `loaded` answers for a key its loader has not got yet."""


NOT_LOADED = NotLoaded()


def loaded(loader: DataLoader[K, V], key: K) -> V | NotLoaded:
    """The value `loader` already holds for `key`, without waiting; NOT_LOADED if it holds none (yet).

    A failed load counts as none: the resolver then asks the loader, and gets its error.
    """
    future = loader.cache_map.get(key)
    if future is None or not future.done() or future.cancelled() or future.exception() is not None:
        return NOT_LOADED
    return future.result()


class Call(Protocol):
    def __call__(self, service: str, method: str, path: str, **kwargs: Any) -> Awaitable[Any]: ...


def items_of(answer: Any) -> list[dict[str, Any]]:
    """The records of a list answer, whether a bare list or a page."""
    if isinstance(answer, dict):
        return list(answer.get("items") or [])
    return list(answer or [])


def by_key(records: Sequence[dict[str, Any]], field: str = "id") -> dict[str, dict[str, Any]]:
    return {str(record[field]): record for record in records}


def batch_loader(
    fetch: Callable[[list[str]], Awaitable[list[dict[str, Any]]]], field: str = "id"
) -> DataLoader[str, dict[str, Any] | None]:
    """A loader of records by id: one service call per batch of up to 100 ids; an unknown id is None."""

    async def load(ids: list[str]) -> list[dict[str, Any] | None]:
        found = by_key(await fetch(ids), field)
        return [found.get(str(i)) for i in ids]

    return DataLoader(load_fn=load, max_batch_size=BATCH)


async def none_if_missing(answer: Awaitable[Any]) -> Any:
    """A read of one record that answers None where the service says it does not exist."""
    try:
        return await answer
    except GatewayError as error:
        if error.code == NOT_FOUND:
            return None
        raise


def seg(value: object) -> str:
    """One path segment, escaped: caller input never reaches another route."""
    return quote(str(value), safe="")


PageKey = tuple[str, int, str | None]  # (owner id, service page size, service cursor)


def page_loader(
    fetch_first_pages: Callable[[list[str], int], Awaitable[list[dict[str, Any]]]],
    fetch_page: Callable[[str, int, str | None], Awaitable[dict[str, Any]]],
    owner_field: str,
) -> DataLoader[PageKey, dict[str, Any]]:
    """A loader of one page per owner (e.g. the practices of each municipality).

    First pages of the same size are read for up to 100 owners in one call (the
    service answers one page per owner, each naming its owner); a page further
    on is read on its own.
    """

    async def load(keys: list[PageKey]) -> list[dict[str, Any]]:
        pages: dict[PageKey, dict[str, Any]] = {}
        sizes = sorted({first for _, first, after in keys if after is None})
        for size in sizes:
            owners = list(dict.fromkeys(owner for owner, first, after in keys if after is None and first == size))
            for answer in await fetch_first_pages(owners, size):
                pages[(str(answer[owner_field]), size, None)] = answer
        for key in keys:
            owner, first, after = key
            if after is not None and key not in pages:
                pages[key] = await fetch_page(owner, first, after)
        empty: dict[str, Any] = {"items": [], "next_cursor": None, "total_count": 0}
        return [pages.get(key, empty) for key in keys]

    return DataLoader(load_fn=load, max_batch_size=BATCH)
