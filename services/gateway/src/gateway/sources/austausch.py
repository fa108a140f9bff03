"""austausch: practices, comments, search, comparable municipalities, follows."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from strawberry.dataloader import DataLoader

from gateway.pagination import PageRequest
from gateway.sources import BATCH, Call, NotLoaded, PageKey, batch_loader, items_of, loaded, page_loader, seg

SERVICE = "austausch"
PUBLISHED = "PUBLISHED"


def _count_only(municipality_id: str) -> PageKey:
    """The page of none: its answer carries the count alone."""
    return (municipality_id, 0, None)


class Austausch:
    def __init__(self, call: Call) -> None:
        self._call = call

    @cached_property
    def practices(self) -> DataLoader[str, dict[str, Any] | None]:
        async def fetch(ids: list[str]) -> list[dict[str, Any]]:
            return items_of(await self._call(SERVICE, "GET", "/practices", params={"ids": ids, "first": BATCH}))

        return batch_loader(fetch)

    async def practice(self, practice_id: str) -> dict[str, Any] | None:
        return await self.practices.load(practice_id)

    def _remember(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for record in records:
            self.practices.prime(str(record["id"]), record)
        return records

    async def search_practices(
        self, search: str | None, topics: list[str] | None, page: PageRequest, *, facets: bool
    ) -> dict[str, Any]:
        """German full-text search over practices: best match first, newest first without words."""
        # The schema has no highlighted snippets, and facets cost a broad search most of its time:
        # austausch is spared the first always and the second unless they are asked for.
        params: dict[str, Any] = {
            "kind": "practice",
            "highlight": "false",
            "facets": str(facets).lower(),
            **page.params(),
        }
        if search:
            params["q"] = search
        if topics:
            params["topic"] = topics
        answer: dict[str, Any] = await self._call(SERVICE, "GET", "/search", params=params)
        return answer

    @cached_property
    def practices_of_municipalities(self) -> DataLoader[PageKey, dict[str, Any]]:
        """The published practices of each municipality, newest first: first pages for 100 in one call."""

        async def first_pages(owners: list[str], first: int) -> list[dict[str, Any]]:
            params = {"municipality_id": owners, "status": PUBLISHED, "first": first}
            pages = items_of(await self._call(SERVICE, "GET", "/practices/by-municipality", params=params))
            for page in pages:
                self._remember(list(page.get("items") or []))
            return pages

        async def one_page(owner: str, first: int, after: str | None) -> dict[str, Any]:
            params = {"municipality_id": owner, "status": PUBLISHED, "first": first, "after": after}
            page: dict[str, Any] = await self._call(SERVICE, "GET", "/practices", params=params)
            self._remember(list(page.get("items") or []))
            return page

        return page_loader(first_pages, one_page, "municipality_id")

    async def practices_of(self, municipality_id: str, page: PageRequest) -> dict[str, Any]:
        return await self.practices_of_municipalities.load((municipality_id, *page.key))

    async def practice_count_of(self, municipality_id: str) -> int:
        """How many published practices of the municipality the caller sees, without reading any (a page of 0)."""
        page = await self.practices_of_municipalities.load(_count_only(municipality_id))
        return int(page.get("total_count") or 0)

    def loaded_practice_count(self, municipality_id: str) -> int | NotLoaded:
        """`practice_count_of` if it is loaded already (a page loads the counts ahead), else NOT_LOADED."""
        page = loaded(self.practices_of_municipalities, _count_only(municipality_id))
        return page if isinstance(page, NotLoaded) else int(page.get("total_count") or 0)

    async def load_practice_counts(self, municipality_ids: list[str]) -> None:
        """The counts of `practice_count_of` for many municipalities, read ahead in one call."""
        await self.practices_of_municipalities.load_many([_count_only(i) for i in municipality_ids])

    @cached_property
    def oldest_comments(self) -> DataLoader[tuple[str, int], list[dict[str, Any]]]:
        """The oldest n comments of a practice, replies included: one call for up to 100 practices."""

        async def load(keys: list[tuple[str, int]]) -> list[list[dict[str, Any]]]:
            found: dict[tuple[str, int], list[dict[str, Any]]] = {}
            for count in sorted({n for _, n in keys}):
                practices = list(dict.fromkeys(p for p, n in keys if n == count))
                answer = await self._call(
                    SERVICE, "GET", "/comments", params={"practice_id": practices, "per_practice": count}
                )
                for comment in items_of(answer):
                    found.setdefault((str(comment["practice_id"]), count), []).append(comment)
            return [found.get(key, []) for key in keys]

        return DataLoader(load_fn=load, max_batch_size=BATCH)

    async def comparable_practices(self, municipality_id: str, first: int) -> list[dict[str, Any]]:
        answer = await self._call(
            SERVICE,
            "GET",
            f"/municipalities/{seg(municipality_id)}/comparable/practices",
            params={"first": max(first, 1)},
        )
        return self._remember([entry["practice"] for entry in items_of(answer)])

    async def comparable_municipalities(self, municipality_id: str, first: int) -> list[dict[str, Any]]:
        answer = await self._call(
            SERVICE, "GET", f"/municipalities/{seg(municipality_id)}/comparable", params={"first": max(first, 1)}
        )
        return items_of(answer)

    async def publish_practice(self, body: dict[str, Any]) -> dict[str, Any]:
        """A practice drafted and published at once, as the core's `publishPractice` means."""
        draft: dict[str, Any] = await self._call(SERVICE, "POST", "/practices", json=body)
        published: dict[str, Any] = await self._call(SERVICE, "POST", f"/practices/{seg(draft['id'])}/publish")
        self._remember([published])
        return published

    async def add_comment(self, practice_id: str, body: str) -> dict[str, Any]:
        answer: dict[str, Any] = await self._call(
            SERVICE, "POST", f"/practices/{seg(practice_id)}/comments", json={"body": body}
        )
        return answer

    async def follow_topic(self, topic: str) -> None:
        await self._call(SERVICE, "PUT", f"/follows/topic/{seg(topic)}")

    @cached_property
    def questions(self) -> DataLoader[str, dict[str, Any] | None]:
        async def fetch(ids: list[str]) -> list[dict[str, Any]]:
            return items_of(await self._call(SERVICE, "GET", "/questions", params={"ids": ids, "first": BATCH}))

        return batch_loader(fetch)

    async def list_questions(
        self, topics: list[str] | None, answered: bool | None, page: PageRequest
    ) -> dict[str, Any]:
        params: dict[str, Any] = {**page.params()}
        if topics:
            params["topic"] = topics
        if answered is not None:
            params["answered"] = str(answered).lower()
        answer: dict[str, Any] = await self._call(SERVICE, "GET", "/questions", params=params)
        for question in answer.get("items") or []:
            self.questions.prime(str(question["id"]), question)
        return answer

    @cached_property
    def oldest_answers(self) -> DataLoader[tuple[str, int], list[dict[str, Any]]]:
        """The oldest n answers of a question: one call for up to 100 questions."""

        async def load(keys: list[tuple[str, int]]) -> list[list[dict[str, Any]]]:
            found: dict[tuple[str, int], list[dict[str, Any]]] = {}
            for count in sorted({n for _, n in keys}):
                questions = list(dict.fromkeys(q for q, n in keys if n == count))
                answer = await self._call(
                    SERVICE, "GET", "/answers", params={"question_id": questions, "per_question": count}
                )
                for entry in items_of(answer):
                    found.setdefault((str(entry["question_id"]), count), []).append(entry)
            return [found.get(key, []) for key in keys]

        return DataLoader(load_fn=load, max_batch_size=BATCH)

    async def ask_question(self, body: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = await self._call(SERVICE, "POST", "/questions", json=body)
        return answer

    async def answer_question(self, question_id: str, body: str) -> dict[str, Any]:
        answer: dict[str, Any] = await self._call(
            SERVICE, "POST", f"/questions/{seg(question_id)}/answers", json={"body": body}
        )
        return answer

    async def accept_answer(self, question_id: str, answer_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = await self._call(
            SERVICE, "POST", f"/questions/{seg(question_id)}/answers/{seg(answer_id)}/accept"
        )
        return answer

    async def moderation_queue(self, status: str, target_kind: str | None, page: PageRequest) -> dict[str, Any]:
        params: dict[str, Any] = {"status": status, **page.params()}
        if target_kind is not None:
            params["target_kind"] = target_kind
        answer: dict[str, Any] = await self._call(SERVICE, "GET", "/moderation/reports", params=params)
        return answer

    async def hide(self, target_kind: str, target_id: str, reason: str) -> dict[str, Any]:
        answer: dict[str, Any] = await self._call(
            SERVICE, "POST", f"/moderation/{seg(target_kind)}/{seg(target_id)}/hide", json={"reason": reason}
        )
        return answer
