"""austausch: practices, comments, comparable municipalities, follows."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from strawberry.dataloader import DataLoader

from gateway.pagination import PageRequest
from gateway.sources import Call, PageKey, batch_loader, items_of, page_loader, seg

SERVICE = "austausch"


class Austausch:
    def __init__(self, call: Call) -> None:
        self._call = call

    @cached_property
    def practices(self) -> DataLoader[str, dict[str, Any] | None]:
        async def fetch(ids: list[str]) -> list[dict[str, Any]]:
            return items_of(await self._call(SERVICE, "GET", "/practices", params={"ids": ids}))

        return batch_loader(fetch)

    async def practice(self, practice_id: str) -> dict[str, Any] | None:
        return await self.practices.load(practice_id)

    def _remember(self, page: dict[str, Any]) -> dict[str, Any]:
        for record in page.get("items") or []:
            self.practices.prime(str(record["id"]), record)
        return page

    async def search_practices(self, search: str | None, topics: list[str] | None, page: PageRequest) -> dict[str, Any]:
        params: dict[str, Any] = {**page.params()}
        if search is not None:
            params["search"] = search
        if topics:
            params["topics"] = topics
        return self._remember(await self._call(SERVICE, "GET", "/practices", params=params))

    @cached_property
    def practices_of_municipalities(self) -> DataLoader[PageKey, dict[str, Any]]:
        async def first_pages(owners: list[str], first: int) -> list[dict[str, Any]]:
            answer = await self._call(
                SERVICE, "GET", "/practices/by-municipality", params={"municipality_id": owners, "first": first}
            )
            return [self._remember(page) for page in items_of(answer)]

        async def one_page(owner: str, first: int, after: str | None) -> dict[str, Any]:
            params = {"municipality_id": owner, "first": first, "after": after}
            return self._remember(await self._call(SERVICE, "GET", "/practices", params=params))

        return page_loader(first_pages, one_page, "municipality_id")

    async def practices_of(self, municipality_id: str, page: PageRequest) -> dict[str, Any]:
        return await self.practices_of_municipalities.load((municipality_id, *page.key))

    @cached_property
    def comments_of_practices(self) -> DataLoader[PageKey, dict[str, Any]]:
        async def first_pages(owners: list[str], first: int) -> list[dict[str, Any]]:
            answer = await self._call(
                SERVICE, "GET", "/comments/by-practice", params={"practice_id": owners, "first": first}
            )
            return items_of(answer)

        async def one_page(owner: str, first: int, after: str | None) -> dict[str, Any]:
            params = {"first": first, "after": after}
            page: dict[str, Any] = await self._call(SERVICE, "GET", f"/practices/{seg(owner)}/comments", params=params)
            return page

        return page_loader(first_pages, one_page, "practice_id")

    async def comments_of(self, practice_id: str, page: PageRequest) -> dict[str, Any]:
        return await self.comments_of_practices.load((practice_id, *page.key))

    async def comparable_practices(self, municipality_id: str, first: int) -> list[dict[str, Any]]:
        answer = await self._call(
            SERVICE, "GET", f"/municipalities/{seg(municipality_id)}/comparable-practices", params={"first": first}
        )
        return self._remember({"items": items_of(answer)})["items"]  # type: ignore[no-any-return]

    async def publish_practice(self, body: dict[str, Any]) -> dict[str, Any]:
        draft: dict[str, Any] = await self._call(SERVICE, "POST", "/practices", json=body)
        published: dict[str, Any] = await self._call(SERVICE, "POST", f"/practices/{seg(draft['id'])}/publish")
        self.practices.prime(str(published["id"]), published)
        return published

    async def add_comment(self, practice_id: str, body: str) -> dict[str, Any]:
        answer: dict[str, Any] = await self._call(
            SERVICE, "POST", f"/practices/{seg(practice_id)}/comments", json={"body": body}
        )
        return answer

    async def follow_topic(self, topic: str) -> None:
        await self._call(SERVICE, "POST", "/follows", json={"target_kind": "topic", "target_id": topic})
