"""kommunen: municipality records and topics."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from strawberry.dataloader import DataLoader

from gateway.pagination import PageRequest
from gateway.sources import BATCH, Call, batch_loader, items_of, none_if_missing, seg

SERVICE = "kommunen"
MAX_TOPIC_PAGES = 20


class Kommunen:
    def __init__(self, call: Call) -> None:
        self._call = call

    @cached_property
    def municipalities(self) -> DataLoader[str, dict[str, Any] | None]:
        async def fetch(ids: list[str]) -> list[dict[str, Any]]:
            # A batch read answers every id on one page; `first` only keeps an adviser's scope from cutting it short.
            answer = await self._call(SERVICE, "GET", "/municipalities", params={"ids": ids, "first": BATCH})
            return items_of(answer)

        return batch_loader(fetch)

    async def municipality(self, municipality_id: str) -> dict[str, Any] | None:
        return await self.municipalities.load(municipality_id)

    async def municipality_by_ags(self, ags: str) -> dict[str, Any] | None:
        found = await none_if_missing(self._call(SERVICE, "GET", f"/municipalities/by-ags/{seg(ags)}"))
        if found is not None:
            self.municipalities.prime(str(found["id"]), found)
        return found  # type: ignore[no-any-return]

    async def list_municipalities(
        self, filters: dict[str, Any], page: PageRequest, ids: list[str] | None = None
    ) -> dict[str, Any]:
        """A page of municipalities by name (`programme`, `bundesland`, `kind`, `topic`, `name` filters)."""
        params = {key: value for key, value in filters.items() if value is not None}
        if ids is not None:
            params["ids"] = ids
        answer: dict[str, Any] = await self._call(SERVICE, "GET", "/municipalities", params={**params, **page.params()})
        for record in answer.get("items") or []:
            self.municipalities.prime(str(record["id"]), record)
        return answer

    async def register(self, body: dict[str, Any]) -> dict[str, Any]:
        created: dict[str, Any] = await self._call(SERVICE, "POST", "/municipalities", json=body)
        self.municipalities.prime(str(created["id"]), created)
        return created

    @cached_property
    def _all_topics(self) -> DataLoader[str, list[dict[str, Any]]]:
        async def load(keys: list[str]) -> list[list[dict[str, Any]]]:
            found: list[dict[str, Any]] = []
            after: str | None = None
            # Topics are a few dozen; the pages are followed to the end so that none goes missing.
            for _ in range(MAX_TOPIC_PAGES):
                params: dict[str, Any] = {"first": BATCH} | ({"after": after} if after else {})
                page = await self._call(SERVICE, "GET", "/topics", params=params)
                found.extend(items_of(page))
                after = page.get("next_cursor") if isinstance(page, dict) else None
                if after is None:
                    break
            return [found for _ in keys]

        return DataLoader(load_fn=load)

    async def topics(self) -> list[dict[str, Any]]:
        """Every topic, read once per request however many fields need one."""
        return await self._all_topics.load("all")

    async def topic(self, key: str) -> dict[str, Any] | None:
        return next((topic for topic in await self.topics() if topic["key"] == key), None)

    async def contacts(self, municipality_id: str, page: PageRequest) -> dict[str, Any]:
        answer: dict[str, Any] = await self._call(
            SERVICE, "GET", f"/municipalities/{seg(municipality_id)}/contacts", params=page.params()
        )
        return answer
